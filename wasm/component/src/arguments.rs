//! The flat post-order node list of `build-key` into cashier-core argument values.
//!
//! Checked before anything is built, without recursion: every child index names an earlier
//! node, every node has at most one parent, and nesting stays within the core's limit. So a
//! hostile list can neither loop, nor share a subtree into an exponential blow-up, nor overflow
//! the stack (building, encoding or dropping).

use cashier_core::ArgValue;
use cashier_core::key::MAX_DEPTH;

use crate::exports::cashier::cache::keys::Node;
use crate::exports::cashier::cache::types::Error;

/// The values of the root nodes `roots`, in order.
pub fn to_values(nodes: Vec<Node>, roots: &[u32]) -> Result<Vec<ArgValue>, Error> {
    let count = nodes.len();
    let mut depth = vec![0usize; count];
    let mut has_parent = vec![false; count];
    let mut adopt = |parent: usize, child: u32, depth: &mut [usize]| -> Result<(), Error> {
        let child = child as usize;
        if child >= parent {
            return Err(invalid(format!(
                "node {parent} names child {child}, which is not an earlier node"
            )));
        }
        if std::mem::replace(&mut has_parent[child], true) {
            return Err(invalid(format!("node {child} has more than one parent")));
        }
        depth[parent] = depth[parent].max(depth[child] + 1);
        Ok(())
    };
    for (index, node) in nodes.iter().enumerate() {
        match node {
            Node::List(items) | Node::Set(items) => {
                for &child in items {
                    adopt(index, child, &mut depth)?;
                }
            }
            Node::Object(fields) => {
                for (_, child) in fields {
                    adopt(index, *child, &mut depth)?;
                }
            }
            Node::Map(entries) => {
                for &(key, value) in entries {
                    adopt(index, key, &mut depth)?;
                    adopt(index, value, &mut depth)?;
                }
            }
            _ => {}
        }
        if depth[index] > MAX_DEPTH {
            return Err(Error::InvalidKey(format!(
                "values nest deeper than {MAX_DEPTH} levels"
            )));
        }
    }
    for &root in roots {
        let root = root as usize;
        if root >= count {
            return Err(invalid(format!(
                "argument names node {root}, but there are {count} nodes"
            )));
        }
        if std::mem::replace(&mut has_parent[root], true) {
            return Err(invalid(format!("node {root} is used more than once")));
        }
    }

    // Post-order: children are built before their parents and moved into them.
    let mut built: Vec<Option<ArgValue>> = Vec::with_capacity(count);
    let take = |built: &mut Vec<Option<ArgValue>>, child: u32| {
        built[child as usize].take().unwrap_or(ArgValue::Undefined)
    };
    for node in nodes {
        let value = match node {
            Node::Null => ArgValue::Null,
            Node::Undefined => ArgValue::Undefined,
            Node::Boolean(b) => ArgValue::Bool(b),
            Node::Number(n) => ArgValue::Number(n),
            Node::Bigint(digits) => ArgValue::BigInt(digits),
            Node::Text(text) => ArgValue::String(text),
            Node::Bytes(bytes) => ArgValue::Bytes(bytes),
            Node::Date(time) => ArgValue::Date(time),
            Node::List(items) => {
                ArgValue::List(items.into_iter().map(|c| take(&mut built, c)).collect())
            }
            Node::Set(items) => {
                ArgValue::Set(items.into_iter().map(|c| take(&mut built, c)).collect())
            }
            Node::Object(fields) => ArgValue::Object(
                fields
                    .into_iter()
                    .map(|(k, c)| (k, take(&mut built, c)))
                    .collect(),
            ),
            Node::Map(entries) => ArgValue::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (take(&mut built, k), take(&mut built, v)))
                    .collect(),
            ),
        };
        built.push(Some(value));
    }
    Ok(roots.iter().map(|&root| take(&mut built, root)).collect())
}

fn invalid(message: String) -> Error {
    Error::InvalidArguments(message)
}
