//! Expand stage: turns the validated model into Rust. Nothing here can fail.
//!
//! Generated code names everything by absolute path (`::metronome::__private::..`) and
//! prefixes its own generics and locals (`__MnW`, `__mn_world`), so user names never
//! collide with generated ones.

mod component;
mod events;
mod fallback;
mod records;
mod save;
mod system;
mod system_checks;
mod system_loops;
mod world;
mod world_stub;

pub use component::component;
pub use fallback::{system_fallback, world_fallback};
pub use system::system;
pub use world::world;

use proc_macro2::TokenStream;
use quote::quote;

/// The path every generated item uses to reach the runtime.
pub(crate) fn rt() -> TokenStream {
    quote!(::metronome::__private)
}
