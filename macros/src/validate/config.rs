//! `executor = ...` and `capacity(...)`: names, parameters and bounds.

use syn::ext::IdentExt;
use syn::{Expr, Ident, Lit};

use super::{display, Ctxt};
use crate::model::{CapacityModel, ExecutorModel, MemoryModel, Workers};
use crate::parse::world::{quoted_list, ExecutorDecl, Param};
use crate::parse::List;

/// Executor names, as the messages list them.
const EXECUTORS: &[&str] = &[
    "sequential",
    "work_stealing",
    "numa_aware",
    "continuation_stealing",
];

/// The parameters each executor takes.
fn params_of(executor: &str) -> &'static [&'static str] {
    match executor {
        "work_stealing" => &["workers", "local_queue_size", "heartbeat_us"],
        "numa_aware" => &[
            "workers",
            "local_queue_size",
            "heartbeat_us",
            "pin",
            "memory",
        ],
        "continuation_stealing" => &["workers", "local_queue_size"],
        _ => &[],
    }
}

/// Defaults of the world's keys.
pub const DEFAULT_WORKERS: Workers = Workers::Auto;
pub const DEFAULT_LOCAL_QUEUE_SIZE: usize = 256;
pub const DEFAULT_HEARTBEAT_US: u64 = 100;
pub const MAX_WORKERS: u64 = 1024;
pub const MAX_HEARTBEAT_US: u64 = 1_000_000;
pub const DEFAULT_ENTITIES: u64 = 1 << 20;
pub const MAX_ENTITIES: u64 = u32::MAX as u64;
pub const DEFAULT_COMMANDS_PER_STAGE: u32 = 65_536;
pub const MAX_COMMANDS_PER_STAGE: u64 = 1_000_000;

/// A missing `executor` key: `work_stealing(workers = auto)`.
pub fn default_executor() -> ExecutorModel {
    ExecutorModel::WorkStealing {
        workers: DEFAULT_WORKERS,
        local_queue_size: DEFAULT_LOCAL_QUEUE_SIZE,
        heartbeat_us: DEFAULT_HEARTBEAT_US,
    }
}

/// A missing `capacity` key.
pub fn default_capacity() -> CapacityModel {
    CapacityModel {
        entities: DEFAULT_ENTITIES,
        commands_per_stage: DEFAULT_COMMANDS_PER_STAGE,
    }
}

/// `and`-joined list of executors taking `param` (`` `work_stealing` and `numa_aware` ``).
fn owners_of(param: &str) -> Option<String> {
    let owners: Vec<String> = EXECUTORS
        .iter()
        .filter(|executor| params_of(executor).contains(&param))
        .map(|executor| format!("`{executor}`"))
        .collect();
    match owners.len() {
        0 => None,
        1 => Some(owners[0].clone()),
        n => Some(format!(
            "{} and {}",
            owners[..n - 1].join(", "),
            owners[n - 1]
        )),
    }
}

pub fn check_executor(cx: &Ctxt, decl: &ExecutorDecl) -> ExecutorModel {
    let name = decl.name.to_string();
    let name = name.trim_start_matches("r#");
    if !EXECUTORS.contains(&name) {
        cx.error_spanned_by(
            &decl.name,
            format!(
                "unknown executor `{name}`; expected one of {}",
                quoted_list(EXECUTORS)
            ),
        );
        if let Some(params) = &decl.params {
            cx.extend(params.errors.iter().cloned());
        }
        return default_executor();
    }
    check_unsafe(cx, decl, name);
    let allowed = params_of(name);

    let mut workers = DEFAULT_WORKERS;
    let mut local_queue_size = DEFAULT_LOCAL_QUEUE_SIZE;
    let mut heartbeat_us = DEFAULT_HEARTBEAT_US;
    let mut pin = false;
    let mut memory = MemoryModel::Local;

    let empty = List {
        items: Vec::new(),
        errors: Vec::new(),
    };
    let params = decl.params.as_ref().unwrap_or(&empty);
    cx.extend(params.errors.iter().cloned());
    let mut seen: Vec<String> = Vec::new();
    for param in &params.items {
        let key = param.key.to_string();
        if !allowed.contains(&key.as_str()) {
            let takes = if allowed.is_empty() {
                format!("`{name}` takes no parameters")
            } else {
                format!("`{name}` takes {}", quoted_list(allowed))
            };
            let message = match owners_of(&key) {
                Some(owners) => format!("{takes}; `{key}` belongs to {owners}"),
                None => format!("unknown executor parameter `{key}`; {takes}"),
            };
            cx.error_spanned_by(&param.key, message);
            continue;
        }
        if seen.contains(&key) {
            cx.error_spanned_by(
                &param.key,
                format!("`{key}` is given twice in `{name}(...)`; keep one"),
            );
            continue;
        }
        seen.push(key.clone());
        match key.as_str() {
            "workers" => {
                if is_word(&param.value, "auto") {
                    workers = Workers::Auto;
                } else if let Some(n) = int_in(
                    cx,
                    &param.key,
                    &param.value,
                    1,
                    MAX_WORKERS,
                    "an integer between 1 and 1_024 or `auto`",
                ) {
                    workers = Workers::Fixed(n as usize);
                }
            }
            "local_queue_size" => {
                if let Some(n) = int_in(
                    cx,
                    &param.key,
                    &param.value,
                    0,
                    u64::MAX,
                    "a power of two such as 256",
                ) {
                    if n.is_power_of_two() && usize::try_from(n).is_ok() {
                        local_queue_size = n as usize;
                    } else {
                        cx.error_spanned_by(
                            &param.value,
                            format!(
                                "`local_queue_size` must be a power of two, got {n}; try {}",
                                nearest_power_of_two(n)
                            ),
                        );
                    }
                }
            }
            "heartbeat_us" => {
                if let Some(n) = int_in(
                    cx,
                    &param.key,
                    &param.value,
                    1,
                    MAX_HEARTBEAT_US,
                    "a number of microseconds between 1 and 1_000_000",
                ) {
                    heartbeat_us = n;
                }
            }
            "pin" => match &param.value {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Bool(b), ..
                }) => pin = b.value,
                other => cx.error_spanned_by(
                    other,
                    format!("`pin` takes `true` or `false`, got `{}`", display(other)),
                ),
            },
            "memory" => {
                if is_word(&param.value, "local") {
                    memory = MemoryModel::Local;
                } else if is_word(&param.value, "interleave") {
                    memory = MemoryModel::Interleave;
                } else {
                    cx.error_spanned_by(
                        &param.value,
                        format!(
                            "`memory` takes `local` or `interleave`, got `{}`",
                            display(&param.value)
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    match name {
        "sequential" => ExecutorModel::Sequential,
        "work_stealing" => ExecutorModel::WorkStealing {
            workers,
            local_queue_size,
            heartbeat_us,
        },
        "numa_aware" => ExecutorModel::NumaAware {
            workers,
            local_queue_size,
            heartbeat_us,
            pin,
            memory,
        },
        _ => ExecutorModel::ContinuationStealing {
            workers,
            local_queue_size,
            // Without `unsafe` an error was reported: this placeholder is never expanded.
            accepted: crate::model::UnsafeToken(
                decl.unsafe_token
                    .unwrap_or_else(|| syn::Token![unsafe](decl.name.span())),
            ),
        },
    }
}

/// `continuation_stealing` must be written `unsafe(continuation_stealing(...))`: its
/// fibers may move a system's code to another thread at any `join`, `scope` or
/// `par_for_each`, and only the world's author can promise that nothing thread-bound is
/// held across them (the contract of `ContinuationPoolBuilder::build`). The other
/// executors take no `unsafe`.
fn check_unsafe(cx: &Ctxt, decl: &ExecutorDecl, name: &str) {
    match (&decl.unsafe_token, name == "continuation_stealing") {
        (None, true) => cx.error_spanned_by(
            &decl.name,
            "`continuation_stealing` may resume a system on another thread after any `join`, \
             `scope` or `par_for_each`, which the compiler cannot check: write \
             `executor = unsafe(continuation_stealing(...))` to promise that no system holds \
             a thread-bound value (`!Send` value, thread-local reference, lock guard) across \
             them (the contract of `ContinuationPoolBuilder::build`)",
        ),
        (Some(token), false) => cx.error_spanned_by(
            token,
            format!(
                "`{name}` has no safety contract to accept: remove `unsafe(...)` and write `executor = {name}(...)`"
            ),
        ),
        _ => {}
    }
}

pub fn check_capacity(cx: &Ctxt, list: &List<Param>) -> CapacityModel {
    let mut capacity = default_capacity();
    cx.extend(list.errors.iter().cloned());
    let mut seen: Vec<String> = Vec::new();
    for param in &list.items {
        let key = param.key.to_string();
        if key != "entities" && key != "commands_per_stage" {
            cx.error_spanned_by(
                &param.key,
                format!("unknown capacity key `{key}`; `capacity` takes `entities` and `commands_per_stage`"),
            );
            continue;
        }
        if seen.contains(&key) {
            cx.error_spanned_by(
                &param.key,
                format!("`{key}` is given twice in `capacity(...)`; keep one"),
            );
            continue;
        }
        seen.push(key.clone());
        if key == "entities" {
            if let Some(n) = int_in(
                cx,
                &param.key,
                &param.value,
                1,
                MAX_ENTITIES,
                "an integer between 1 and 4_294_967_295",
            ) {
                capacity.entities = n;
            }
        } else if let Some(n) = int_in(
            cx,
            &param.key,
            &param.value,
            1,
            MAX_COMMANDS_PER_STAGE,
            "an integer between 1 and 1_000_000",
        ) {
            capacity.commands_per_stage = n as u32;
        }
    }
    capacity
}

/// `value` is the bare identifier `word`.
fn is_word(value: &Expr, word: &str) -> bool {
    match value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            path.path.is_ident(word)
        }
        _ => false,
    }
}

/// An integer literal in `min..=max`; reports and returns `None` otherwise.
pub(super) fn int_in(
    cx: &Ctxt,
    key: &Ident,
    value: &Expr,
    min: u64,
    max: u64,
    takes: &str,
) -> Option<u64> {
    let (negative, lit) = match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(lit), ..
        }) => (false, lit),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(lit), ..
            }) => (true, lit),
            _ => return not_an_int(cx, key, value, takes),
        },
        Expr::Group(group) => return int_in(cx, key, &group.expr, min, max, takes),
        Expr::Paren(paren) => return int_in(cx, key, &paren.expr, min, max, takes),
        _ => return not_an_int(cx, key, value, takes),
    };
    let digits = lit.base10_digits();
    // As the user wrote it (`2_000_000`, not `2000000`).
    let shown = if negative {
        format!("-{lit}")
    } else {
        lit.to_string()
    };
    let out_of_range = || {
        // No upper bound to show (`local_queue_size`): say what it takes instead.
        if max == u64::MAX {
            cx.error_spanned_by(
                value,
                format!("`{}` must be {takes}, got {shown}", key.unraw()),
            );
            return None;
        }
        cx.error_spanned_by(
            value,
            format!(
                "`{}` must be between {} and {}{}, got {shown}",
                key.unraw(),
                group(min),
                group(max),
                // `workers` also takes a word.
                if key == "workers" { " or `auto`" } else { "" }
            ),
        );
        None
    };
    if negative {
        return if digits.trim_start_matches('0').is_empty() && min == 0 {
            Some(0)
        } else {
            out_of_range()
        };
    }
    match lit.base10_parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ if max == u64::MAX => {
            cx.error_spanned_by(
                value,
                format!("`{}` is too large, got {shown}", key.unraw()),
            );
            None
        }
        _ => out_of_range(),
    }
}

fn not_an_int(cx: &Ctxt, key: &Ident, value: &Expr, takes: &str) -> Option<u64> {
    cx.error_spanned_by(
        value,
        format!("`{}` takes {takes}, got `{}`", key.unraw(), display(value)),
    );
    None
}

/// `1000000` as `1_000_000`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// The power of two closest to `n` (the larger one on a tie).
pub fn nearest_power_of_two(n: u64) -> u64 {
    if n <= 1 {
        return 1;
    }
    let Some(above) = n.checked_next_power_of_two() else {
        return 1 << 63;
    };
    let below = above / 2;
    if above == n || n - below >= above - n {
        above
    } else {
        below
    }
}
