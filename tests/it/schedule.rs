//! the compile-time schedule. Each world below lists a few systems with
//! known access; the test checks the stages `Game::SCHEDULE` holds (a `const`), and that
//! the world runs its stages in that order.

use metronome::prelude::*;
use metronome::Schedule;

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Pos(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Vel(pub i32);
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Hp(pub i32);

#[derive(Default)]
pub struct R(pub u32);
#[derive(Default)]
pub struct R2(pub u32);

#[system]
fn w_pos(_q: Query<&mut Pos>) {}
#[system]
fn w_pos2(_q: Query<&mut Pos>) {}
#[system]
fn r_pos(_q: Query<&Pos>) {}
#[system]
fn r_pos2(_q: Query<&Pos>) {}
#[system]
fn r_hp(_q: Query<&Hp>) {}
#[system]
fn r_hp2(_q: Query<&Hp>) {}
#[system]
fn w_hp(_q: Query<&mut Hp>) {}
#[system]
fn w_pos_with_vel(_q: Query<&mut Pos, With<Vel>>) {}
#[system]
fn w_pos_without_vel(_q: Query<&mut Pos, Without<Vel>>) {}
#[system]
fn r_pos_without_vel(_q: Query<&Pos, Without<Vel>>) {}
#[system]
fn r_pos_with_vel(_q: Query<&Pos, With<Vel>>) {}
#[system]
fn r_pos_without_hp(_q: Query<&Pos, Without<Hp>>) {}
/// Writes `Pos` in `Mover` and `Unit` only (via the required `Vel`).
#[system]
fn w_pos_r_vel(_q: Query<(&mut Pos, &Vel)>) {}
/// Writes `Pos` in `Unit` only: `Option` does not require `Pos`, `&Hp` does require `Hp`.
#[system]
fn opt_w_pos(_q: Query<(&Hp, Option<&mut Pos>)>) {}
#[system]
fn res_r(_r: Res<R>) {}
#[system]
fn res_r2(_r: Res<R>) {}
#[system]
fn res_w(_r: ResMut<R>) {}
#[system]
fn res_w2(_r: ResMut<R>) {}
#[system]
fn res_other_w(_r: ResMut<R2>) {}
#[system]
fn cmd_a(_c: Commands) {}
#[system]
fn cmd_b(_c: Commands) {}
#[system]
fn ents(_q: Query<Entity>) {}
#[system]
fn ents_with_pos(_q: Query<(Entity,), With<Pos>>) {}
#[system]
fn local_a(_l: Local<u32>) {}
#[system]
fn local_b(_l: Local<u32>) {}

/// Sets every `Pos` to 7.
#[system]
fn set_pos(mut q: Query<&mut Pos>) {
    q.for_each(|p| p.0 = 7);
}
/// Copies `Pos` into `Vel`.
#[system]
fn copy_pos_to_vel(mut q: Query<(&Pos, &mut Vel)>) {
    q.for_each(|(p, v)| v.0 = p.0);
}

/// A world with archetypes `Mover = (Pos, Vel)`, `Unit = (Pos, Vel, Hp)`, `Prop = (Pos)`,
/// `Husk = (Hp)` and one phase `P` listing the given systems.
macro_rules! world_of {
    ($name:ident: $($systems:tt)*) => {
        #[world(
            archetypes(
                Mover = (Pos, Vel),
                Unit  = (Pos, Vel, Hp),
                Prop  = (Pos),
                Husk  = (Hp),
            ),
            resources(R, R2),
            phases(P),
            systems(P = [$($systems)*]),
            executor = sequential,
        )]
        pub struct $name;
    };
}

mod no_order {
    use super::*;
    world_of!(W: r_hp, r_hp2);
}
mod after {
    use super::*;
    world_of!(W: r_hp, r_hp2.after(r_hp));
}
mod before {
    use super::*;
    world_of!(W: r_hp, r_hp2.before(r_hp));
}
mod write_read {
    use super::*;
    world_of!(W: w_pos, r_pos);
}
mod read_write {
    use super::*;
    world_of!(W: r_pos, w_pos);
}
mod read_read {
    use super::*;
    world_of!(W: r_pos, r_pos2);
}
mod write_write {
    use super::*;
    world_of!(W: w_pos, w_pos2);
}
mod other_columns {
    use super::*;
    world_of!(W: w_hp, r_pos, w_pos);
}
mod with_without {
    use super::*;
    world_of!(W: w_pos_with_vel, w_pos_without_vel);
}
mod api_example {
    use super::*;
    world_of!(W: r_pos_without_vel, w_pos_with_vel);
}
mod required_vs_without {
    use super::*;
    world_of!(W: w_pos_r_vel, r_pos_without_vel);
}
mod option_disjoint {
    use super::*;
    world_of!(W: opt_w_pos, r_pos_without_hp);
}
mod option_overlap {
    use super::*;
    world_of!(W: opt_w_pos, r_pos_with_vel);
}
mod filter_not_disjoint {
    use super::*;
    world_of!(W: w_pos_with_vel, r_pos);
}
mod res_read_write {
    use super::*;
    world_of!(W: res_r, res_w);
}
mod res_read_read {
    use super::*;
    world_of!(W: res_r, res_r2);
}
mod res_write_write {
    use super::*;
    world_of!(W: res_w, res_w2);
}
mod res_different {
    use super::*;
    world_of!(W: res_w, res_other_w, res_r);
}
mod nothing_conflicts {
    use super::*;
    world_of!(W: w_pos, cmd_a, ents, local_a, w_pos2, cmd_b, ents_with_pos, local_b, res_w);
}
mod earliest_stage {
    use super::*;
    world_of!(W: w_pos, w_pos2, r_hp);
}
mod after_then_free_stage {
    use super::*;
    world_of!(W: w_pos, w_pos2, r_hp.after(w_pos));
}
mod after_then_conflict {
    use super::*;
    world_of!(W: w_pos, r_hp, w_pos2.after(r_hp), r_pos.after(r_hp));
}
mod waits_for_predecessor {
    use super::*;
    // `r_hp` is declared first but must follow `w_pos`: `w_pos2` is placed before it.
    world_of!(W: r_hp.after(w_pos), w_pos2, w_pos);
}
mod several_predecessors {
    use super::*;
    world_of!(W: w_pos, w_hp, r_hp2.after(w_pos, w_hp), r_pos, w_pos2.before(w_hp));
}
mod runs_in_stage_order {
    use super::*;
    world_of!(W: copy_pos_to_vel.after(set_pos), set_pos);
}

#[world(
    archetypes(Mover = (Pos, Vel), Prop = (Pos)),
    resources(R),
    phases(First, Second, Third),
    systems(First = [w_pos, w_pos2], Second = [r_pos, set_pos], Third = []),
    executor = sequential,
)]
pub struct Phased;

/// The stages of the only phase of a `world_of!` world.
fn stages(s: &Schedule) -> Vec<Vec<&'static str>> {
    assert_eq!(s.phases.len(), 1);
    assert_eq!(s.phases[0].name, "P");
    s.phases[0].stages.iter().map(|st| st.to_vec()).collect()
}

// Used in `const` items: the schedule is computed at compile time.
const AFTER: Schedule = after::W::SCHEDULE;
const AFTER_STAGES: usize = after::W::SCHEDULE.phases[0].stages.len();
const FIRST_OF_WRITE_READ: &str = write_read::W::SCHEDULE.phases[0].stages[0][0];

#[test]
fn schedule_is_a_const() {
    let two: [u8; AFTER_STAGES] = [0; 2];
    assert_eq!(two.len(), 2);
    assert_eq!(AFTER.phases[0].stages.len(), 2);
    assert_eq!(FIRST_OF_WRITE_READ, "w_pos");
}

#[test]
fn after_and_before() {
    assert_eq!(stages(&no_order::W::SCHEDULE), [vec!["r_hp", "r_hp2"]]);
    assert_eq!(stages(&after::W::SCHEDULE), [vec!["r_hp"], vec!["r_hp2"]]);
    assert_eq!(stages(&before::W::SCHEDULE), [vec!["r_hp2"], vec!["r_hp"]]);
}

#[test]
fn write_read_and_write_write_conflicts() {
    assert_eq!(
        stages(&write_read::W::SCHEDULE),
        [vec!["w_pos"], vec!["r_pos"]]
    );
    assert_eq!(
        stages(&read_write::W::SCHEDULE),
        [vec!["r_pos"], vec!["w_pos"]]
    );
    assert_eq!(stages(&read_read::W::SCHEDULE), [vec!["r_pos", "r_pos2"]]);
    assert_eq!(
        stages(&write_write::W::SCHEDULE),
        [vec!["w_pos"], vec!["w_pos2"]]
    );
    // Writing another component is no conflict.
    assert_eq!(
        stages(&other_columns::W::SCHEDULE),
        [vec!["w_hp", "r_pos"], vec!["w_pos"]]
    );
}

#[test]
fn queries_disjoint_by_filters_share_a_stage() {
    assert_eq!(
        stages(&with_without::W::SCHEDULE),
        [vec!["w_pos_with_vel", "w_pos_without_vel"]]
    );
    // The placement example of the README.
    assert_eq!(
        stages(&api_example::W::SCHEDULE),
        [vec!["r_pos_without_vel", "w_pos_with_vel"]]
    );
    assert_eq!(
        stages(&filter_not_disjoint::W::SCHEDULE),
        [vec!["w_pos_with_vel"], vec!["r_pos"]]
    );
}

#[test]
fn conflicts_are_counted_per_column() {
    // `(&mut Pos, &Vel)` touches `Pos` in Mover and Unit; `&Pos, Without<Vel>` in Prop.
    assert_eq!(
        stages(&required_vs_without::W::SCHEDULE),
        [vec!["w_pos_r_vel", "r_pos_without_vel"]]
    );
    // `(&Hp, Option<&mut Pos>)` writes `Pos` in Unit only (Husk has no `Pos`).
    assert_eq!(
        stages(&option_disjoint::W::SCHEDULE),
        [vec!["opt_w_pos", "r_pos_without_hp"]]
    );
    assert_eq!(
        stages(&option_overlap::W::SCHEDULE),
        [vec!["opt_w_pos"], vec!["r_pos_with_vel"]]
    );
}

#[test]
fn resources_count_whole() {
    assert_eq!(
        stages(&res_read_write::W::SCHEDULE),
        [vec!["res_r"], vec!["res_w"]]
    );
    assert_eq!(
        stages(&res_read_read::W::SCHEDULE),
        [vec!["res_r", "res_r2"]]
    );
    assert_eq!(
        stages(&res_write_write::W::SCHEDULE),
        [vec!["res_w"], vec!["res_w2"]]
    );
    assert_eq!(
        stages(&res_different::W::SCHEDULE),
        [vec!["res_w", "res_other_w"], vec!["res_r"]]
    );
}

#[test]
fn commands_entity_and_local_conflict_with_nothing() {
    assert_eq!(
        stages(&nothing_conflicts::W::SCHEDULE),
        [
            vec![
                "w_pos",
                "cmd_a",
                "ents",
                "local_a",
                "cmd_b",
                "ents_with_pos",
                "local_b",
                "res_w"
            ],
            vec!["w_pos2"],
        ]
    );
}

#[test]
fn each_system_goes_to_the_earliest_free_stage_after_its_predecessors() {
    assert_eq!(
        stages(&earliest_stage::W::SCHEDULE),
        [vec!["w_pos", "r_hp"], vec!["w_pos2"]]
    );
    assert_eq!(
        stages(&after_then_free_stage::W::SCHEDULE),
        [vec!["w_pos"], vec!["w_pos2", "r_hp"]]
    );
    assert_eq!(
        stages(&after_then_conflict::W::SCHEDULE),
        [vec!["w_pos", "r_hp"], vec!["w_pos2"], vec!["r_pos"]]
    );
    // w_pos2 -> 0; w_pos -> 1 (conflicts with w_pos2); r_hp waits for w_pos -> 2. Placing
    // r_hp's predecessor and r_hp first would give [[w_pos], [w_pos2, r_hp]].
    assert_eq!(
        stages(&waits_for_predecessor::W::SCHEDULE),
        [vec!["w_pos2"], vec!["w_pos"], vec!["r_hp"]]
    );
    // w_hp waits for w_pos2 (`.before(w_hp)`), r_hp2 for w_pos and w_hp. Placement order:
    // w_pos (0), r_pos (1, conflicts with w_pos), w_pos2 (2, conflicts with both),
    // w_hp (3, after w_pos2), r_hp2 (4, after w_hp).
    assert_eq!(
        stages(&several_predecessors::W::SCHEDULE),
        [
            vec!["w_pos"],
            vec!["r_pos"],
            vec!["w_pos2"],
            vec!["w_hp"],
            vec!["r_hp2"]
        ]
    );
}

#[test]
fn stages_run_in_schedule_order() {
    use runs_in_stage_order::{Mover, WPhase, W};
    assert_eq!(
        stages(&W::SCHEDULE),
        [vec!["set_pos"], vec!["copy_pos_to_vel"]]
    );
    let mut w = W::new();
    let e = w.spawn(Mover(Pos(1), Vel(0)));
    w.run_phase(WPhase::P);
    // `copy_pos_to_vel` is declared first but ran after `set_pos`.
    assert_eq!(w.get::<Vel>(e), Some(&Vel(7)));
    assert_eq!(w.get::<Pos>(e), Some(&Pos(7)));
}

#[test]
fn phases_are_scheduled_independently() {
    let s = Phased::SCHEDULE;
    let names: Vec<&str> = s.phases.iter().map(|p| p.name).collect();
    assert_eq!(names, ["First", "Second", "Third"]);
    assert_eq!(s.phases[0].stages, &[&["w_pos"][..], &["w_pos2"][..]]);
    assert_eq!(s.phases[1].stages, &[&["r_pos"][..], &["set_pos"][..]]);
    assert!(s.phases[2].stages.is_empty());
    assert_eq!(s.phase("Second").map(|p| p.stages.len()), Some(2));
    assert_eq!(Phased::ARCHETYPES, &["Mover", "Prop"]);
    let mut w = Phased::new();
    w.tick();
    w.run_phase(PhasedPhase::Third);
    assert_eq!(w.frame(), 1);
}
