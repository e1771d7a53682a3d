//! `on_command_error = panic | collect`.

use syn::ext::IdentExt;
use syn::Ident;

use super::Ctxt;
use crate::model::CommandErrorModel;

/// The policy the key names (`panic` when the key is absent); an unknown value is an
/// error at the value, naming the two that exist.
pub fn check(cx: &Ctxt, value: Option<&Ident>) -> CommandErrorModel {
    let Some(value) = value else {
        return CommandErrorModel::Panic;
    };
    match value.unraw().to_string().as_str() {
        "panic" => CommandErrorModel::Panic,
        "collect" => CommandErrorModel::Collect,
        other => {
            cx.error_spanned_by(
                value,
                format!(
                    "unknown `on_command_error` value `{other}`; write `on_command_error = panic` (the default: a command that fails when applied panics, naming the system) or `on_command_error = collect` (failed commands are kept for `take_command_errors()`)"
                ),
            );
            CommandErrorModel::Panic
        }
    }
}
