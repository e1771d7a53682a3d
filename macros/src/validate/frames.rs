//! The frame keys: `fixed(hz = N)` phases, `max_fixed_steps = N` and `stats = on | off`.

use syn::ext::IdentExt;
use syn::{Expr, Ident};

use super::{config, Ctxt};
use crate::model::FramesModel;
use crate::parse::world::{PhaseDecl, PhaseKindDecl};

/// `fixed(hz = N)` takes `1 ..= MAX_HZ`.
pub const MAX_HZ: u64 = 10_000;
/// `max_fixed_steps` takes `1 ..= MAX_FIXED_STEPS`, default [`DEFAULT_MAX_FIXED_STEPS`].
pub const MAX_FIXED_STEPS: u64 = 1_000;
pub const DEFAULT_MAX_FIXED_STEPS: u32 = 8;

const FIXED_EXAMPLE: &str = "as in `Physics = fixed(hz = 60)`";

/// The frame model of the declared phases (duplicates left out, as the phase list does)
/// and of the two keys.
pub fn check(
    cx: &Ctxt,
    phases: &[PhaseDecl],
    max_fixed_steps: Option<(&Ident, &Expr)>,
    stats: Option<&Ident>,
) -> FramesModel {
    let mut seen: Vec<&Ident> = Vec::new();
    let mut fixed_hz = Vec::new();
    for phase in phases {
        let hz = phase
            .kind
            .as_ref()
            .and_then(|kind| check_kind(cx, &phase.name, kind));
        if seen.contains(&&phase.name) {
            continue;
        }
        seen.push(&phase.name);
        fixed_hz.push(hz);
    }
    let max_fixed_steps = match max_fixed_steps {
        Some((key, value)) => config::int_in(
            cx,
            key,
            value,
            1,
            MAX_FIXED_STEPS,
            "an integer between 1 and 1_000",
        )
        .map_or(DEFAULT_MAX_FIXED_STEPS, |n| n as u32),
        None => DEFAULT_MAX_FIXED_STEPS,
    };
    let stats = match stats {
        None => true,
        Some(value) => match value.unraw().to_string().as_str() {
            "on" => true,
            "off" => false,
            other => {
                cx.error_spanned_by(
                    value,
                    format!("unknown `stats` value `{other}`; write `stats = on` (the default: the world times its frames and systems for `stats()`) or `stats = off` (no statistics, no clock reads)"),
                );
                true
            }
        },
    };
    FramesModel {
        fixed_hz,
        max_fixed_steps,
        stats,
    }
}

/// `fixed(hz = N)`: its rate, or `None` after reporting what is wrong.
fn check_kind(cx: &Ctxt, phase: &Ident, kind: &PhaseKindDecl) -> Option<u32> {
    if kind.name.unraw() != "fixed" {
        cx.error_spanned_by(
            &kind.name,
            format!(
                "unknown phase kind `{}` for phase `{phase}`; the only kind is `fixed(hz = N)`, {FIXED_EXAMPLE}, or write the phase alone for one run per frame",
                kind.name.unraw()
            ),
        );
        return None;
    }
    let Some(params) = &kind.params else {
        cx.error_spanned_by(
            &kind.name,
            format!("`fixed` needs its rate: write `{phase} = fixed(hz = 60)`"),
        );
        return None;
    };
    cx.extend(params.errors.iter().cloned());
    let mut hz = None;
    let mut given = false;
    for param in &params.items {
        if param.key.unraw() != "hz" {
            cx.error_spanned_by(
                &param.key,
                format!(
                    "unknown parameter `{}` of `fixed`; it takes only `hz`, {FIXED_EXAMPLE}",
                    param.key.unraw()
                ),
            );
            continue;
        }
        if given {
            cx.error_spanned_by(&param.key, "`hz` is given twice in `fixed(...)`; keep one");
            continue;
        }
        given = true;
        hz = config::int_in(
            cx,
            &param.key,
            &param.value,
            1,
            MAX_HZ,
            "an integer number of steps per second between 1 and 10_000",
        )
        .map(|n| n as u32);
    }
    if !given && params.errors.is_empty() {
        cx.error_spanned_by(
            &kind.name,
            format!("`fixed(...)` needs `hz`: write `{phase} = fixed(hz = 60)`"),
        );
    }
    hz
}
