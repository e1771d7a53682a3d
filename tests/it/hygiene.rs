//! User names never collide with generated ones. Components named like
//! the macros' generic parameters (single capitals), an archetype `AS` (which broke gecs),
//! archetypes and phases whose lower-case forms are Rust keywords, items named like the
//! runtime's types, systems named like world methods, systems in submodules named by path,
//! and a world in a `#![no_implicit_prelude]` module (generated code uses absolute paths).

use metronome::prelude::*;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct K(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct T(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct W(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct B(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct D(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct F(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct E(pub i32);

/// A resource named like a single capital.
#[derive(Default)]
pub struct S(pub Vec<&'static str>);
#[derive(Default)]
pub struct R(pub i32);

// Systems named like world methods.

/// Spawns one `AS` on its first run.
#[system]
pub fn spawn(mut commands: Commands, mut runs: Local<u32>, mut s: ResMut<S>) {
    *runs += 1;
    if *runs == 1 {
        commands.spawn(AS(K(1), T(10)));
        commands.spawn((K(2), T(20)));
    }
    s.0.push("spawn");
}

/// Gives every `AS` a `B`: `AS` -> `Loop`.
#[system]
#[allow(clippy::type_complexity)]
pub fn insert(
    q: Query<(Entity, &K), (With<T>, Without<B>)>,
    mut commands: Commands,
    mut s: ResMut<S>,
) {
    for (e, k) in q.iter() {
        commands.insert(e, B(k.0 * 100));
    }
    s.0.push("insert");
}

#[system]
pub fn get(q: Query<&B>, mut r: ResMut<R>, mut s: ResMut<S>) {
    r.0 = q.iter().map(|b| b.0).sum();
    s.0.push("get");
}

#[system]
pub fn tick(mut s: ResMut<S>) {
    s.0.push("tick");
}

#[system]
pub fn new(q: Query<&W>, mut s: ResMut<S>) {
    let _ = q.len();
    s.0.push("new");
}

/// Takes `B` off again: `Loop` -> `AS`.
#[system]
pub fn remove(q: Query<Entity, With<B>>, mut commands: Commands, mut s: ResMut<S>) {
    for e in q.iter() {
        commands.remove::<B>(e);
    }
    s.0.push("remove");
}

#[system]
pub fn despawn(_q: Query<(&D, Option<&F>)>) {}
#[system]
pub fn query(_q: Query<&E>) {}
#[system]
pub fn len(_c: Commands) {}
#[system]
pub fn resource(_r: Res<R>) {}
#[system]
pub fn frame(_l: Local<u64>) {}
#[system]
pub fn is_alive(_q: Query<Entity>) {}
#[system]
pub fn run_phase(_q: Query<&F>) {}

pub mod physics {
    use super::*;

    /// `K += T`.
    #[system]
    pub fn integrate(mut q: Query<(&mut K, &T)>, mut s: ResMut<S>) {
        for (k, t) in q.iter_mut() {
            k.0 += t.0;
        }
        s.0.push("integrate");
    }

    pub mod deep {
        use super::super::*;

        #[system]
        pub fn settle(mut q: Query<&mut K, Without<B>>, mut s: ResMut<S>) {
            q.for_each(|k| k.0 = -k.0);
            s.0.push("settle");
        }
    }
}

#[world(
    archetypes(
        AS     = (K, T),
        Loop   = (K, T, B),
        Match  = (K),
        Move   = (T),
        Type   = (W),
        Struct = (D, F),
        Fn     = (K, W),
        Impl   = (T, W),
        Mod    = (K, T, W),
        Crate  = (D),
        Super  = (F),
        Where  = (K, D),
        Dyn    = (K, F),
        Async  = (T, D),
        Await  = (T, F),
        Ref    = (W, D),
        Static = (W, F),
        Const  = (B),
        Use    = (E),
        Let    = (E, K),
        For    = (E, T),
        In     = (E, W),
        Enum   = (E, B),
        Trait  = (E, D),
        Unsafe = (E, F),
        Return = (E, K, T),
    ),
    resources(S, R = R(-1)),
    phases(Loop, Match, Move, Type, Struct, Fn, Crate, Super),
    systems(
        Loop   = [spawn],
        Match  = [get.after(insert), insert],
        Move   = [physics::integrate, physics::deep::settle.after(physics::integrate)],
        Type   = [tick, new],
        Struct = [remove],
        Fn     = [despawn, query, len, resource, frame, is_alive, run_phase],
    ),
    executor = sequential,
)]
pub struct Hyg;

#[test]
fn keyword_and_single_capital_names_work() {
    assert_eq!(Hyg::ARCHETYPES[0], "AS");
    assert_eq!(Hyg::ARCHETYPES[1], "Loop");
    assert_eq!(Hyg::ARCHETYPES.len(), 26);
    let phases: Vec<&str> = Hyg::SCHEDULE.phases.iter().map(|p| p.name).collect();
    assert_eq!(
        phases,
        ["Loop", "Match", "Move", "Type", "Struct", "Fn", "Crate", "Super"]
    );
    let s = &Hyg::SCHEDULE.phases;
    assert_eq!(s[1].stages, &[&["insert"][..], &["get"][..]]);
    assert_eq!(s[2].stages, &[&["integrate"][..], &["settle"][..]]);
    assert_eq!(s[3].stages, &[&["tick"][..], &["new"][..]]);
    assert_eq!(s[5].stages.len(), 1);
    assert_eq!(s[5].stages[0].len(), 7);

    let mut w = Hyg::new();
    assert_eq!(w.resource::<R>().0, -1);
    w.tick();
    // `spawn` ran in `Loop`; `insert` moved both to `Loop` (the archetype); `get` saw the
    // `B`s; `integrate` added `T`; `settle` skipped them (they have `B`); `remove` took
    // the `B`s off at the end of the `Struct` phase.
    assert_eq!(w.resource::<R>().0, 300);
    let mut ks: Vec<(i32, &str)> = w
        .query::<(Entity, &K)>()
        .iter()
        .map(|(e, k)| (k.0, w.archetype_name(e).unwrap()))
        .collect();
    ks.sort();
    assert_eq!(ks, [(11, "AS"), (22, "AS")]);
    assert_eq!(
        w.resource::<S>().0,
        [
            "spawn",
            "insert",
            "get",
            "integrate",
            "settle",
            "tick",
            "new",
            "remove"
        ]
    );
    w.run_phase(HygPhase::Move);
    let mut ks: Vec<i32> = w.query::<&K>().iter().map(|k| k.0).collect();
    ks.sort();
    assert_eq!(ks, [-42, -21]);
    w.run_phase(HygPhase::Crate);
    w.run_phase(HygPhase::Super);
    assert_eq!(w.frame(), 1);

    // The world's own methods are still there, next to the systems named like them.
    let e = w.spawn(Loop(K(0), T(0), B(0)));
    assert_eq!(w.archetype_name(e), Some("Loop"));
    assert_eq!(w.remove::<B>(e), Ok(B(0)));
    assert_eq!(w.archetype_name(e), Some("AS"));
    assert_eq!(w.insert(e, W(1)), Ok(()));
    assert_eq!(w.archetype_name(e), Some("Mod"));
    assert_eq!(w.get::<W>(e), Some(&W(1)));
    assert_eq!(w.query::<&T>().len(), 3);
    assert!(w.despawn(e));
    assert!(!w.is_alive(e));
    let u = w.spawn(Use(E(3)));
    w.insert(u, K(4)).unwrap();
    assert_eq!(w.archetype_name(u), Some("Let"));
    w.insert(u, T(4)).unwrap();
    assert_eq!(w.archetype_name(u), Some("Return"));
    assert_eq!(w.len(), 3);
    let _ = Hyg::default();
}

/// Items named like the runtime's types, in a module, named by path.
pub mod runtime_names {
    use metronome::prelude::*;

    #[derive(Component, Debug, PartialEq)]
    pub struct Table(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct Storage(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct Column(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct Bits(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct Location(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct Bundle(pub u8);
    #[derive(Component, Debug, PartialEq)]
    pub struct WorldDef(pub u8);

    /// Resources named like runtime types.
    #[derive(Default)]
    pub struct Schedule(pub u32);
    #[derive(Default)]
    pub struct WorldCore(pub u32);
    #[derive(Default)]
    pub struct SyncCell(pub u32);
    #[derive(Default)]
    pub struct CommandBuffer(pub u32);
    #[derive(Default)]
    pub struct System(pub u32);

    #[system]
    pub fn bump(
        mut q: metronome::Query<(&mut Table, &Storage, Option<&Bits>)>,
        mut sched: metronome::ResMut<Schedule>,
        core: metronome::Res<WorldCore>,
        mut c: metronome::ResMut<CommandBuffer>,
        mut commands: metronome::Commands,
    ) {
        for (t, s, b) in q.iter_mut() {
            t.0 += s.0 + b.map_or(0, |b| b.0);
        }
        sched.0 += 1 + core.0;
        c.0 += 1;
        commands.spawn((Column(9),));
    }

    #[system]
    pub fn tally(
        q: metronome::Query<&Column>,
        mut cell: metronome::ResMut<SyncCell>,
        sys: metronome::Res<System>,
    ) {
        cell.0 = q.len() as u32 + sys.0;
    }

    #[world(
        archetypes(
            Query    = (Table, Storage),
            Res      = (Table, Storage, Bits),
            Commands = (Column),
            Entity   = (Location, Bundle, WorldDef),
        ),
        resources(Schedule, WorldCore = WorldCore(10), SyncCell, CommandBuffer, System),
        phases(Update),
        systems(Update = [bump, tally.after(bump)]),
        executor = sequential,
    )]
    pub struct World;
}

#[test]
fn runtime_type_names_work() {
    use runtime_names::*;
    let mut w = World::new();
    let a = w.spawn(runtime_names::Query(Table(1), Storage(2)));
    let b = w.spawn((Table(1), Storage(2), Bits(3)));
    let c = w.spawn(runtime_names::Entity(Location(1), Bundle(2), WorldDef(3)));
    w.tick();
    assert_eq!(w.get::<Table>(a), Some(&Table(3)));
    assert_eq!(w.get::<Table>(b), Some(&Table(6)));
    assert_eq!(w.get::<WorldDef>(c), Some(&WorldDef(3)));
    assert_eq!(w.resource::<Schedule>().0, 11);
    assert_eq!(w.resource::<runtime_names::CommandBuffer>().0, 1);
    assert_eq!(
        w.resource::<SyncCell>().0,
        1,
        "tally ran after bump's commands were applied"
    );
    assert_eq!(World::ARCHETYPES, ["Query", "Res", "Commands", "Entity"]);
    let s: metronome::Schedule = World::SCHEDULE;
    assert_eq!(s.phases[0].stages, &[&["bump"][..], &["tally"][..]]);
    assert_eq!(w.archetype_name(c), Some("Entity"));
    w.run_phase(WorldPhase::Update);
    assert_eq!(w.len(), 5);
}

/// Generated code names everything by absolute path: it compiles without the prelude, and
/// next to user types named like std's.
pub mod no_prelude {
    #![no_implicit_prelude]
    use ::metronome::prelude::*;

    #[derive(Component)]
    pub struct Option(pub u8);
    #[derive(Component)]
    pub struct Vec(pub u8);
    #[derive(Component)]
    pub struct Box(pub u8);
    #[derive(Component)]
    pub struct Some;
    #[derive(Component)]
    pub struct None;

    pub struct Default(pub u8);
    pub struct Result(pub u8);
    impl ::core::default::Default for Result {
        fn default() -> Self {
            Result(7)
        }
    }

    #[system]
    pub fn step(
        mut q: Query<(&mut Option, ::core::option::Option<&Vec>)>,
        d: Res<Default>,
        mut r: ResMut<Result>,
    ) {
        for (o, v) in q.iter_mut() {
            o.0 += d.0 + v.map_or(0, |v| v.0);
        }
        r.0 += 1;
    }

    #[system]
    pub fn mark(q: Query<::metronome::Entity, With<Some>>, mut commands: Commands) {
        for e in q.iter() {
            commands.insert(e, None);
        }
    }

    #[world(
        archetypes(
            Send  = (Option),
            Sync  = (Option, Vec),
            Sized = (Box, Some),
            Drop  = (Box, Some, None),
        ),
        resources(Default = Default(2), Result),
        phases(Update),
        systems(Update = [step, mark]),
        executor = work_stealing(workers = 2),
    )]
    pub struct Copy;
}

#[test]
fn no_implicit_prelude_and_std_names_work() {
    use no_prelude as np;
    let mut w = np::Copy::new();
    let a = w.spawn(np::Send(np::Option(1)));
    let b = w.spawn((np::Option(1), np::Vec(5)));
    let c = w.spawn(np::Sized(np::Box(0), np::Some));
    w.tick();
    assert_eq!(w.get::<np::Option>(a).map(|o| o.0), Some(3));
    assert_eq!(w.get::<np::Option>(b).map(|o| o.0), Some(8));
    assert_eq!(w.resource::<np::Result>().0, 8);
    assert_eq!(w.archetype_name(c), Some("Drop"));
    assert!(w.has::<np::None>(c));
    assert!(w.take_command_errors().is_empty());
}
