//! Every way a `#[system]` can be named in `systems(...)` resolves to it: a name in the
//! world's module, a path into a submodule (`self::`, `crate::`, plain), a name brought
//! in by a `use` or a glob `use`, names that are also std macros (`print`, `vec`) or
//! attributes (`test`), and worlds in function bodies (one generic) naming systems of
//! that body and of the enclosing module.
use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Count(pub u32);

#[system]
fn print(mut q: Query<&mut Count>) {
    for c in q.iter_mut() {
        c.0 += 1;
    }
}

#[system]
fn vec(mut q: Query<&mut Count>) {
    for c in q.iter_mut() {
        c.0 += 10;
    }
}

#[system]
fn test(mut q: Query<&mut Count>) {
    for c in q.iter_mut() {
        c.0 += 100;
    }
}

pub mod physics {
    use super::Count;
    use metronome::prelude::*;

    #[system]
    pub fn integrate(mut q: Query<&mut Count>) {
        for c in q.iter_mut() {
            c.0 += 1_000;
        }
    }

    pub mod deep {
        use super::super::Count;
        use metronome::prelude::*;

        #[system]
        pub fn settle(mut q: Query<&mut Count>) {
            for c in q.iter_mut() {
                c.0 += 10_000;
            }
        }

        #[system]
        pub fn rest(mut q: Query<&mut Count>) {
            for c in q.iter_mut() {
                c.0 += 100_000;
            }
        }
    }
}

use physics::deep::*;

#[world(
    archetypes(Counter = (Count)),
    phases(Update),
    systems(Update = [
        print,
        vec.after(print),
        test.after(vec),
        self::physics::integrate.after(test),
        crate::physics::deep::settle.after(self::physics::integrate),
        rest.after(crate::physics::deep::settle),
    ]),
    executor = sequential,
)]
pub struct Game;

/// A world declared in a generic function's body, its system beside it.
fn counted_in_generic<N: Into<u32>>(start: N) -> u32 {
    #[system]
    fn bump(mut q: Query<&mut Count>) {
        for c in q.iter_mut() {
            c.0 += 1;
        }
    }

    #[world(
        archetypes(Tally = (Count)),
        phases(Update),
        systems(Update = [bump, self::vec.after(bump)]),
        executor = sequential,
    )]
    pub struct Generic;

    let mut world = Generic::new();
    let e = world.spawn(Tally(Count(start.into())));
    world.tick();
    world.get::<Count>(e).map_or(0, |c| c.0)
}

fn main() {
    assert_eq!(counted_in_generic(5u8), 16);

    let mut game = Game::new();
    let e = game.spawn(Counter(Count(0)));
    game.tick();
    assert_eq!(game.get::<Count>(e), Some(&Count(111_111)));

    #[system]
    fn local(mut q: Query<&mut Count>) {
        for c in q.iter_mut() {
            c.0 += 1_000_000;
        }
    }

    #[world(
        archetypes(Tally = (Count)),
        phases(Update),
        systems(Update = [local, print.after(local), physics::integrate.after(print)]),
        executor = sequential,
    )]
    pub struct Nested;

    let mut world = Nested::new();
    let e = world.spawn(Tally(Count(0)));
    world.tick();
    assert_eq!(world.get::<Count>(e), Some(&Count(1_001_001)));
}
