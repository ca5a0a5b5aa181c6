//! JS values into cashier-core's argument model (`ArgValue`), following `core/KEYS.md`.
//!
//! Supported: undefined, null, booleans, numbers, BigInts, strings, `Date`, `Uint8Array`,
//! arrays, plain objects (own enumerable string keys), `Map`, `Set`. Anything else — functions,
//! symbols, cycles, class instances, other typed arrays, strings with lone surrogates — is a
//! `TypeError` naming the argument position, never a silently wrong key.

use cashier_core::ArgValue;
use cashier_core::key::MAX_DEPTH;
use js_sys::{Array, ArrayBuffer, Date, JsString, Map, Object, Reflect, Set, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The arguments of one call.
pub fn arguments(args: &Array) -> Result<Vec<ArgValue>, JsValue> {
    let mut ancestors = Vec::new();
    (0..args.length())
        .map(|i| convert(&args.get(i), i as usize, 0, &mut ancestors))
        .collect()
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
        let digits: String = value
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
        return Ok(ArgValue::Date(date.get_time()));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(ArgValue::Bytes(bytes.to_vec()));
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
    if Array::is_array(value) {
        let array = value.unchecked_ref::<Array>();
        let items = (0..array.length()).map(|i| convert(&array.get(i), argument, depth, ancestors));
        return items.collect::<Result<_, _>>().map(ArgValue::List);
    }
    if let Some(map) = value.dyn_ref::<Map>() {
        let mut entries = Vec::with_capacity(map.size() as usize);
        for entry in map.entries() {
            let entry: Array = entry?.unchecked_into();
            let key = convert(&entry.get(0), argument, depth, ancestors)?;
            entries.push((key, convert(&entry.get(1), argument, depth, ancestors)?));
        }
        return Ok(ArgValue::Map(entries));
    }
    if let Some(set) = value.dyn_ref::<Set>() {
        let mut items = Vec::with_capacity(set.size() as usize);
        for item in set.values() {
            items.push(convert(&item?, argument, depth, ancestors)?);
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
    let object = value.unchecked_ref::<Object>();
    let keys = Object::keys(object);
    let mut fields = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let name = key.as_string().unwrap_or_default();
        let field = Reflect::get(value, &key)
            .map_err(|e| read_error(argument, &format!("property {name:?}"), e))?;
        fields.push((name, convert(&field, argument, depth, ancestors)?));
    }
    Ok(ArgValue::Object(fields))
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
