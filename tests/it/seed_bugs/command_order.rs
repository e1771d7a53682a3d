//! Commands apply in system declaration order, then call order, whatever order the
//! systems ran in; and at the end of their stage.

use metronome::prelude::*;
use std::time::Duration;

use super::{Hp, Pos};

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Seq(pub u32);

pub struct Target(pub Option<Entity>);
#[derive(Default)]
pub struct Counted(pub usize);

fn emit(k: u32, target: &Target, commands: &mut Commands) {
    commands.spawn((Seq(10 * k),));
    commands.spawn(Rec(Seq(10 * k + 1)));
    if let Some(e) = target.0 {
        commands.insert(e, Hp(10 * k as i32));
        commands.insert(e, Hp(10 * k as i32 + 1));
    }
}

/// Declared first, records last in time (when the stage's systems run at once).
#[system]
fn s1(target: Res<Target>, mut commands: Commands) {
    std::thread::sleep(Duration::from_millis(60));
    emit(1, &target, &mut commands);
}
#[system]
fn s2(target: Res<Target>, mut commands: Commands) {
    std::thread::sleep(Duration::from_millis(30));
    emit(2, &target, &mut commands);
}
#[system]
fn s3(target: Res<Target>, mut commands: Commands) {
    emit(3, &target, &mut commands);
}

#[system]
fn c_early(mut commands: Commands) {
    commands.spawn((Seq(100),));
}
#[system]
fn c_mid(mut commands: Commands) {
    commands.spawn((Seq(200),));
}
#[system]
fn c_late(seqs: Query<&Seq>, mut counted: ResMut<Counted>, mut commands: Commands) {
    counted.0 = seqs.len();
    commands.spawn((Seq(300),));
}

#[world(
    archetypes(Rec = (Seq), Spot = (Pos), Hurt = (Pos, Hp)),
    resources(Target = Target(None), Counted),
    phases(Same, Cross),
    systems(
        Same  = [s1, s2, s3],
        Cross = [c_late.after(c_early), c_early, c_mid],
    ),
    executor = work_stealing(workers = 2),
)]
pub struct Order;

fn seqs(w: &Order) -> Vec<u32> {
    w.query::<&Seq>().iter().map(|s| s.0).collect()
}

#[test]
fn commands_apply_in_declaration_order_then_call_order() {
    assert_eq!(Order::SCHEDULE.phases[0].stages, &[&["s1", "s2", "s3"][..]]);
    let mut w = Order::new();
    let target = w.spawn(Spot(Pos(0)));
    w.resource_mut::<Target>().0 = Some(target);
    w.run_phase(OrderPhase::Same);
    assert!(w.take_command_errors().is_empty());
    assert_eq!(seqs(&w), [10, 11, 20, 21, 30, 31]);
    assert_eq!(w.get::<Hp>(target), Some(&Hp(31)));
    assert_eq!(w.archetype_name(target), Some("Hurt"));
    // Again: the buffers were emptied, and the order holds on every run.
    w.run_phase(OrderPhase::Same);
    assert_eq!(seqs(&w), [10, 11, 20, 21, 30, 31, 10, 11, 20, 21, 30, 31]);
    assert_eq!(w.get::<Hp>(target), Some(&Hp(31)));
}

#[test]
fn commands_apply_at_the_end_of_their_stage() {
    assert_eq!(
        Order::SCHEDULE.phases[1].stages,
        &[&["c_early", "c_mid"][..], &["c_late"][..]]
    );
    let mut w = Order::new();
    w.run_phase(OrderPhase::Cross);
    // `c_late` (stage 1) saw the spawns of stage 0; its own spawn came after them.
    assert_eq!(w.resource::<Counted>().0, 2);
    assert_eq!(seqs(&w), [100, 200, 300]);
    assert_eq!(w.len(), 3);
}
