//! JS values into cashier-core's argument model (`ArgValue`), following `core/KEYS.md`.
//!
//! Supported: undefined, null, booleans, numbers, BigInts, strings, `Date`, `Uint8Array`,
//! arrays, plain objects (own enumerable string keys), `Map`, `Set`. Anything else — functions,
//! symbols, cycles, class instances, other typed arrays, strings with lone surrogates — is a
//! `TypeError` naming the argument position, never a silently wrong key.
//!
//! Every JavaScript operation that user code can intercept (proxy traps, getters, subclassed
//! built-ins) goes through an import declared with `catch`, so an exception comes back here as a
//! value: it must never unwind through Rust frames, which would skip restoring the wasm shadow
//! stack.

use cashier_core::key::MAX_DEPTH;
use cashier_core::{ArgSelection, ArgValue};
use js_sys::{Array, ArrayBuffer, Date, JsString, Map, Object, Reflect, Set, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, which throws for a revoked proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn checked_is_array(value: &JsValue) -> Result<bool, JsValue>;

    /// `Object.keys`, which runs a proxy's `ownKeys` trap.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn checked_keys(value: &JsValue) -> Result<Array, JsValue>;

    /// `Date.prototype.getTime.call(date)`, which throws for a proxy of a date.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn checked_get_time(date: &JsValue) -> Result<f64, JsValue>;

    /// `Uint8Array.prototype.set.call(target, source)`, which reads `source` through its traps.
    #[wasm_bindgen(catch, js_namespace = ["Uint8Array", "prototype", "set"], js_name = call)]
    fn checked_set(target: &Uint8Array, source: &JsValue) -> Result<(), JsValue>;
}

/// The arguments of one call that take part in its key: every one for [`ArgSelection::All`];
/// for a selection, only the selected positions are read and converted, and every other
/// position is `Undefined` (the key builder never looks at it). An argument left out of the key
/// is never touched: it may be anything — a class instance, a cycle, a throwing proxy, a huge
/// object — at no cost.
pub fn arguments(args: &Array, selection: &ArgSelection) -> Result<Vec<ArgValue>, JsValue> {
    let mut ancestors = Vec::new();
    match selection {
        ArgSelection::All => (0..args.length())
            .map(|i| convert(&args.get(i), i as usize, 0, &mut ancestors))
            .collect(),
        ArgSelection::Positions(positions) => {
            let count = positions
                .iter()
                .map(|&p| p + 1)
                .max()
                .unwrap_or(0)
                .min(args.length() as usize);
            let mut values = vec![ArgValue::Undefined; count];
            for &position in positions {
                if position < count {
                    values[position] =
                        convert(&args.get(position as u32), position, 0, &mut ancestors)?;
                }
            }
            Ok(values)
        }
    }
}

fn unsupported(argument: usize, what: &str) -> JsValue {
    js_sys::TypeError::new(&format!(
        "argument {argument}: {what} cannot be part of a cache key; leave the parameter out with cacheWith or pass a keyBuilder"
    ))
    .into()
}

fn convert(
    value: &JsValue,
    argument: usize,
    depth: usize,
    ancestors: &mut Vec<JsValue>,
) -> Result<ArgValue, JsValue> {
    if let Some(number) = value.as_f64() {
        return Ok(ArgValue::Number(number));
    }
    if let Some(text) = value.as_string() {
        // A lone surrogate would be replaced by U+FFFD on the way in: refuse it instead of
        // building a key that collides with the replacement character.
        if !value.unchecked_ref::<JsString>().is_valid_utf16() {
            return Err(unsupported(argument, "a string with a lone surrogate"));
        }
        return Ok(ArgValue::String(text));
    }
    if value.is_undefined() {
        return Ok(ArgValue::Undefined);
    }
    if value.is_null() {
        return Ok(ArgValue::Null);
    }
    if let Some(flag) = value.as_bool() {
        return Ok(ArgValue::Bool(flag));
    }
    if value.is_bigint() {
        let digits = value
            .unchecked_ref::<js_sys::BigInt>()
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return Ok(ArgValue::BigInt(digits));
    }
    if value.is_symbol() {
        return Err(unsupported(argument, "a symbol"));
    }
    if value.is_function() {
        return Err(unsupported(argument, "a function"));
    }
    // Objects from here on.
    if depth >= MAX_DEPTH {
        return Err(js_sys::TypeError::new(&format!(
            "argument {argument}: values nest deeper than {MAX_DEPTH} levels"
        ))
        .into());
    }
    if let Some(date) = value.dyn_ref::<Date>() {
        let time = checked_get_time(date).map_err(|e| read_error(argument, "the date", e))?;
        return Ok(ArgValue::Date(time));
    }
    if value.is_instance_of::<Uint8Array>() {
        // Copy into a fresh Uint8Array first: `value` may be a proxy with traps.
        let length = length_of(value, argument)?;
        let copy = Uint8Array::new_with_length(length);
        checked_set(&copy, value).map_err(|e| read_error(argument, "the bytes", e))?;
        return Ok(ArgValue::Bytes(copy.to_vec()));
    }
    if ArrayBuffer::is_view(value) || value.is_instance_of::<ArrayBuffer>() {
        return Err(unsupported(
            argument,
            "a typed array other than Uint8Array, or an ArrayBuffer",
        ));
    }
    if ancestors.iter().any(|ancestor| Object::is(ancestor, value)) {
        return Err(unsupported(argument, "a cyclic structure"));
    }
    ancestors.push(value.clone());
    let converted = container(value, argument, depth + 1, ancestors);
    ancestors.pop();
    converted
}

fn container(
    value: &JsValue,
    argument: usize,
    depth: usize,
    ancestors: &mut Vec<JsValue>,
) -> Result<ArgValue, JsValue> {
    if checked_is_array(value).map_err(|e| read_error(argument, "the array", e))? {
        let length = length_of(value, argument)?;
        let mut items = Vec::with_capacity(length.min(1 << 16) as usize);
        for i in 0..length {
            let item = Reflect::get_u32(value, i)
                .map_err(|e| read_error(argument, &format!("item {i}"), e))?;
            items.push(convert(&item, argument, depth, ancestors)?);
        }
        return Ok(ArgValue::List(items));
    }
    if value.is_instance_of::<Map>() {
        let mut entries = Vec::new();
        for entry in iterate(value, argument)? {
            let entry = entry.map_err(|e| read_error(argument, "the map", e))?;
            let key =
                Reflect::get_u32(&entry, 0).map_err(|e| read_error(argument, "a map entry", e))?;
            let item =
                Reflect::get_u32(&entry, 1).map_err(|e| read_error(argument, "a map entry", e))?;
            let key = convert(&key, argument, depth, ancestors)?;
            entries.push((key, convert(&item, argument, depth, ancestors)?));
        }
        return Ok(ArgValue::Map(entries));
    }
    if value.is_instance_of::<Set>() {
        let mut items = Vec::new();
        for item in iterate(value, argument)? {
            let item = item.map_err(|e| read_error(argument, "the set", e))?;
            items.push(convert(&item, argument, depth, ancestors)?);
        }
        return Ok(ArgValue::Set(items));
    }
    let prototype =
        Reflect::get_prototype_of(value).map_err(|e| read_error(argument, "its prototype", e))?;
    let plain = prototype.is_null()
        || Object::is(&prototype, &Object::get_prototype_of(&Object::new().into()));
    if !plain {
        let name = Reflect::get(value, &"constructor".into())
            .ok()
            .and_then(|constructor| Reflect::get(&constructor, &"name".into()).ok())
            .and_then(|name| name.as_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "a class".into());
        return Err(unsupported(argument, &format!("an instance of {name}")));
    }
    let keys = checked_keys(value).map_err(|e| read_error(argument, "its keys", e))?;
    let mut fields = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        // As for string values: a lone surrogate would be replaced by U+FFFD on the way in, and
        // the key would collide with the replacement character's.
        if !key.unchecked_ref::<JsString>().is_valid_utf16() {
            return Err(unsupported(
                argument,
                "a property name with a lone surrogate",
            ));
        }
        let name = key.as_string().unwrap_or_default();
        let field = Reflect::get(value, &key)
            .map_err(|e| read_error(argument, &format!("property \"{name}\""), e))?;
        fields.push((name, convert(&field, argument, depth, ancestors)?));
    }
    Ok(ArgValue::Object(fields))
}

/// `value.length` as a whole number (read through any traps, checked).
fn length_of(value: &JsValue, argument: usize) -> Result<u32, JsValue> {
    let length =
        Reflect::get(value, &"length".into()).map_err(|e| read_error(argument, "its length", e))?;
    match length.as_f64() {
        Some(n) if (0.0..=f64::from(u32::MAX)).contains(&n) && (n as u32) as f64 == n => {
            Ok(n as u32)
        }
        _ => Err(js_sys::TypeError::new(&format!(
            "argument {argument}: its length is not a whole number"
        ))
        .into()),
    }
}

/// The iterator of `value` (`value[Symbol.iterator]()`), every step checked.
fn iterate(value: &JsValue, argument: usize) -> Result<js_sys::IntoIter, JsValue> {
    match js_sys::try_iter(value) {
        Ok(Some(iterator)) => Ok(iterator),
        Ok(None) => Err(js_sys::TypeError::new(&format!(
            "argument {argument}: the collection is not iterable"
        ))
        .into()),
        Err(e) => Err(read_error(argument, "the collection", e)),
    }
}

fn read_error(argument: usize, what: &str, cause: JsValue) -> JsValue {
    let cause = Reflect::get(&cause, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "an exception".into());
    js_sys::TypeError::new(&format!(
        "argument {argument}: reading {what} threw: {cause}"
    ))
    .into()
}
