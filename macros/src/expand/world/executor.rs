//! The world's executor, as the expressions `new()` and `with_workers(n)` build it with.

use crate::model::{ExecutorModel, MemoryModel, Workers};
use proc_macro2::TokenStream;
use quote::quote;

/// The world's `WorldExecutor`: `WorldExecutor::new(config)`, or, for
/// `unsafe(continuation_stealing(...))`, the continuation pool built in an `unsafe` block
/// that carries the user's `unsafe` token.
pub(super) fn executor_expr(model: &ExecutorModel) -> TokenStream {
    let rt = crate::expand::rt();
    match model {
        ExecutorModel::ContinuationStealing {
            workers: w,
            local_queue_size,
            accepted,
        } => {
            let w = workers_expr(w);
            // SAFETY (of the generated block): the world's author wrote
            // `executor = unsafe(continuation_stealing(...))`, accepting the `# Safety`
            // contract of `ContinuationPoolBuilder::build` for everything run on this
            // pool: the world's systems and whatever the world's owner runs on it. The
            // block's `unsafe` is the author's token (its span), so `unsafe_code` lints
            // point at what they wrote.
            quote!({
                let __mn_builder = #rt::WorldExecutor::continuation_builder(#w, #local_queue_size);
                #rt::WorldExecutor::continuation(#accepted { __mn_builder.build() })
            })
        }
        _ => {
            let config = executor_config(model);
            quote!(#rt::WorldExecutor::new(#config))
        }
    }
}

/// The `Result<WorldExecutor, BuildError>` of `with_workers(workers)`: the declared
/// executor with the count replaced (the continuation pool built under the user's
/// `unsafe`, as in [`executor_expr`]).
pub(super) fn with_workers_expr(model: &ExecutorModel) -> TokenStream {
    let rt = crate::expand::rt();
    match model {
        ExecutorModel::ContinuationStealing {
            local_queue_size,
            accepted,
            ..
        } => quote!({
            // SAFETY (of the generated block): as in `executor_expr`, the world's author
            // accepted the contract of `ContinuationPoolBuilder::build` by writing
            // `unsafe(continuation_stealing(...))`; the worker count changes nothing of it.
            let __mn_builder = #rt::WorldExecutor::continuation_builder(::core::option::Option::Some(workers), #local_queue_size);
            (#accepted { __mn_builder.build() }).map(#rt::WorldExecutor::Continuation)
        }),
        _ => {
            let config = executor_config(model);
            quote!(#rt::WorldExecutor::with_workers(#config, workers))
        }
    }
}

/// The `ExecutorConfig` of every executor but the continuation-stealing one.
fn executor_config(model: &ExecutorModel) -> TokenStream {
    let rt = crate::expand::rt();
    match model {
        ExecutorModel::Sequential => quote!(#rt::ExecutorConfig::Sequential),
        // Never reached: `executor_expr` and `with_workers_expr` build this pool
        // themselves, under the user's `unsafe`. Without a config of its own, the safe
        // `WorldExecutor` functions could not build it anyway.
        ExecutorModel::ContinuationStealing { .. } => quote!(#rt::ExecutorConfig::Sequential),
        ExecutorModel::WorkStealing {
            workers: w,
            local_queue_size,
            heartbeat_us,
        } => {
            let w = workers_expr(w);
            quote!(#rt::ExecutorConfig::WorkStealing { workers: #w, local_queue_size: #local_queue_size, heartbeat_us: #heartbeat_us })
        }
        ExecutorModel::NumaAware {
            workers: w,
            local_queue_size,
            heartbeat_us,
            pin,
            memory,
        } => {
            let w = workers_expr(w);
            let interleave = *memory == MemoryModel::Interleave;
            quote!(#rt::ExecutorConfig::NumaAware {
                workers: #w, local_queue_size: #local_queue_size, heartbeat_us: #heartbeat_us, pin: #pin, interleave: #interleave
            })
        }
    }
}

/// The declared worker count as an `Option<usize>`: `None` for `auto`.
fn workers_expr(workers: &Workers) -> TokenStream {
    match workers {
        Workers::Auto => quote!(::core::option::Option::None),
        Workers::Fixed(n) => quote!(::core::option::Option::Some(#n)),
    }
}
