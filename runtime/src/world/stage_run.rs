//! Running phases and stages: `tick`, `run_phase`, exclusive systems, the stage runner's
//! inline or pooled dispatch, and discarding the commands of a stage that panicked.

use super::apply::*;
use super::WorldDef;
use std::sync::Arc;

/// Runs every stage of `phase`, applying each stage's commands at its end.
///
/// Stages are barriers: no system of a stage starts before every system of the stage
/// before it ended and that stage's commands and events were applied, even a system
/// that conflicts with none of those still running. Starting it earlier would be
/// observable: it could read the world before the commands it follows are applied, or
/// run although a system of the earlier stage then panics (see below).
///
/// # Panics
/// A panic of a system, or of a component's `Drop` while the stage's commands are
/// applied, leaves the stage: every other system of the stage still runs (on every
/// executor, whatever the plan), the panic reaches the caller once all of them ended,
/// and the later stages of the phase do not run. The commands of that stage that
/// were not applied yet (all of them if a system panicked) are discarded, never applied:
/// they are dropped at the start of the next `run_phase` or `tick`, or with the world.
/// The world stays consistent; it can tick again.
///
/// An exclusive system runs alone, as its own stage, on the caller's thread, with the
/// whole world (`&mut W`); calling `run_phase` or `tick` of the same world from it
/// panics (a tick inside a tick would run the exclusive system again, endlessly).
/// `#[system]` already rejects such a call written in the system's body; this catches
/// the ones made through a helper function.
pub fn run_phase<W: WorldDef>(world: &mut W, phase: usize) {
    refuse_inside_exclusive(world);
    crate::trace::span!("phase", index = phase);
    // The pool's workers poll until the phase ends (nested in the tick's, if any).
    let _tick = world.core().executor.begin_tick();
    drop_discarded_commands(world);
    let plan = Arc::clone(&world.core().plan);
    let Some(stages) = plan.get(phase) else {
        return;
    };
    let base = world.core().stage_base[phase];
    for (i, stage) in stages.iter().enumerate() {
        crate::trace::span!("stage", index = i);
        if let (true, [only]) = (const { any(W::EXCLUSIVE_SYSTEMS) }, &**stage) {
            let only = *only;
            if W::EXCLUSIVE_SYSTEMS[only as usize] {
                run_exclusive(world, only);
                continue;
            }
        }
        let guard = DiscardOnUnwind {
            world: &mut *world,
            stage,
        };
        if const { !W::TRACKED.is_empty() } {
            // The stage's systems run at a tick of their own (their writes are stamped
            // with it); the commands after them, and the world's own writes until the
            // next stage, at the next one.
            guard.world.core_mut().storage.advance_change_tick(false);
        }
        let (on_pool, timed) = run_stage(guard.world, stage, base + i);
        if const { !W::TRACKED.is_empty() } {
            guard.world.core_mut().storage.advance_change_tick(false);
        }
        crate::frames::after_stage(guard.world.core_mut(), stage, on_pool, timed);
        apply_stage_commands(guard.world, stage);
        // The stage completed: nothing to discard.
        std::mem::forget(guard);
    }
}

/// Runs every phase once and counts the frame. A panic leaves the tick where it happened
/// (see [`run_phase`]) and the frame is not counted.
pub fn tick<W: WorldDef>(world: &mut W) {
    // Before `begin_tick`: a tick from inside an exclusive system must not age the events
    // or run state transitions before it is refused.
    refuse_inside_exclusive(world);
    crate::trace::span!("tick");
    // The pool's workers are woken once and poll until the tick ends (`exec/core/tick.rs`).
    let _tick = world.core().executor.begin_tick();
    let start = crate::frames::begin_frame(world);
    crate::frames::tick_clock(world);
    if const { !W::TRACKED.is_empty() } {
        world.core_mut().storage.advance_change_tick(true);
    }
    world.begin_tick();
    for phase in 0..W::PHASE_COUNT {
        crate::frames::tick_phase(world, phase);
    }
    world.core_mut().frame += 1;
    crate::frames::end_frame(world, start);
}

/// Panics if an exclusive system of `world` is running (`tick`/`run_phase` from inside
/// it would run it again, endlessly).
pub(crate) fn refuse_inside_exclusive<W: WorldDef>(world: &W) {
    if world.core().in_exclusive {
        panic!(
            "`tick`/`run_phase` of world `{}` called from one of its exclusive systems; an exclusive system runs inside a tick, so it may call every world method but these two. Move the call out of the system, or list the work it needs as systems of a phase",
            W::NAME
        );
    }
}

/// Whether any flag is set (evaluated at compile time: a world without exclusive systems
/// pays nothing for them).
pub(super) const fn any(flags: &[bool]) -> bool {
    let mut i = 0;
    while i < flags.len() {
        if flags[i] {
            return true;
        }
        i += 1;
    }
    false
}

/// Runs exclusive system `index` with the whole world, marking the world so that a
/// `tick`/`run_phase` from inside it panics (the mark is cleared on every exit path).
pub(super) fn run_exclusive<W: WorldDef>(world: &mut W, index: u16) {
    struct Unmark<'a, W: WorldDef>(&'a mut W);
    impl<W: WorldDef> Drop for Unmark<'_, W> {
        fn drop(&mut self) {
            self.0.core_mut().in_exclusive = false;
        }
    }
    crate::trace::span!("system", name = W::SYSTEM_NAMES[index as usize]);
    world.core_mut().in_exclusive = true;
    let start = crate::frames::sample_start(world.core());
    let guard = Unmark(world);
    guard.0.run_exclusive(index as usize);
    crate::frames::after_exclusive(guard.0.core_mut(), index, start);
}

/// While a stage runs and applies its commands: dropped only if that unwinds (it is
/// forgotten otherwise), it moves the commands left in the buffers of the stage's
/// systems to the core's discarded list, so no later stage run applies them, and gives
/// back the entity handles their spawns reserved (they stay dead for good).
pub(super) struct DiscardOnUnwind<'a, W: WorldDef> {
    world: &'a mut W,
    stage: &'a [u16],
}

impl<W: WorldDef> Drop for DiscardOnUnwind<'_, W> {
    fn drop(&mut self) {
        let core = self.world.core_mut();
        core.storage.entities_mut().flush();
        for &index in self.stage {
            // Moved, not dropped: a component's drop that panicked while unwinding would
            // abort the process.
            let buffer = core.buffers[index as usize].get_mut();
            for command in &buffer.commands {
                for &entity in command.reserved() {
                    core.storage.entities_mut().release(entity);
                }
            }
            core.discarded.get_mut().append(&mut buffer.commands);
            core.discarded_events.get_mut().append(&mut buffer.events);
        }
    }
}

/// Drops the commands of stages that unwound (see [`run_phase`]).
#[inline]
pub(super) fn drop_discarded_commands<W: WorldDef>(world: &mut W) {
    let discarded = world.core_mut().discarded.get_mut();
    if !discarded.is_empty() {
        // `clear` empties the list before dropping the commands: a drop that unwinds
        // leaves it empty (and the other commands dropped).
        discarded.clear();
    }
    if W::HAS_EVENTS {
        world.core_mut().discarded_events.get_mut().clear();
    }
}

/// Runs the systems of `stage` (number `slot` of the plan's stages): inline if the
/// executor is sequential or the stage has one system; otherwise as the stage runner
/// plans it from the systems' predictions (see `stage_runner`). Times the run where
/// due, and feeds the durations to the predictors. Returns whether it ran on the pool
/// and whether it was timed.
pub(super) fn run_stage<W: WorldDef>(world: &mut W, stage: &[u16], slot: usize) -> (bool, bool) {
    let core = world.core_mut();
    let stats_timed = W::STATS && core.frames.sampling;
    if stage.len() == 1 || core.executor.is_sequential() {
        run_inline(world, stage, stats_timed);
        if stats_timed {
            world.core_mut().runner.record(stage);
        }
        return (false, stats_timed);
    }
    let timed = core.runner.wants_timing(slot, stage) || stats_timed;
    if !timed && core.runner.settled_inline(slot) {
        // Between timed runs a stage that runs inline costs what the sequential
        // executor's does, plus the check.
        run_inline(world, stage, false);
        return (false, false);
    }
    let on_pool = core.runner.plan(slot, stage, &core.executor);
    if on_pool {
        run_planned(world, timed);
    } else {
        run_inline(world, stage, timed);
    }
    if timed {
        let runner = &mut world.core_mut().runner;
        runner.record(stage);
        runner.record_loops(stage);
    }
    (on_pool, timed)
}

/// Runs system `index` of `world`, timed into its sample cell if `timed`, its parallel
/// loops inline if the stage runner says so.
#[inline(always)]
pub(super) fn run_one<W: WorldDef>(world: &W, index: u16, timed: bool) {
    crate::trace::span!("system", name = W::SYSTEM_NAMES[index as usize]);
    let core = world.core();
    let buffer = core.buffers[index as usize].get();
    // A system whose loops run faster unsplit runs them here (`world/inline_loops.rs`).
    let _inline_loops = core
        .runner
        .loops_inline(index as usize)
        .then(|| super::InlineLoops::enter(&core.executor));
    let start = timed.then(std::time::Instant::now);
    // SAFETY: the systems of a stage do not conflict (the schedule's construction), each
    // gets its own buffer, and the world is only shared (`&W`) while they run.
    unsafe { world.run_system(index as usize, &mut *buffer) }
    if let Some(start) = start {
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: system `index`'s sample cell is written only here, by its own run, and
        // a stage runs each of its systems once (the plan lists a system in one stage
        // only), so no other thread touches the cell meanwhile; it is read with `&mut`
        // after the stage (`StageRunner::record`, `frames::after_stage`).
        unsafe { *core.runner.sample_cell(index as usize).get() = ns };
    }
}

/// Runs the systems of `stage` one after another on the caller (see [`run_each`]).
pub(super) fn run_inline<W: WorldDef>(world: &W, stage: &[u16], timed: bool) {
    run_each(stage.iter().copied(), |index| run_one(world, index, timed));
}

/// Runs `run` for every system of `systems` in order on the calling thread, each one even
/// if an earlier one panicked; the first panic then reaches the caller once the last
/// system ended. So a stage whose system panics finishes the same way on every executor
/// and whatever the plan: every other system of the stage runs, whether it was handed
/// to a pool thread (the pool's scope waits for it) or left to the caller, before or
/// after the one that panicked.
pub(super) fn run_each(systems: impl Iterator<Item = u16>, run: impl Fn(u16)) {
    let mut first_panic = None;
    for index in systems {
        // `AssertUnwindSafe`: a system that unwound leaves the world consistent (its
        // writes are plain column writes, its commands are discarded with the stage's
        // by `DiscardOnUnwind`), which is what the stage's other systems see.
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(index))) {
            first_panic.get_or_insert(panic);
        }
    }
    if let Some(panic) = first_panic {
        std::panic::resume_unwind(panic);
    }
}

/// Runs the stage the runner planned (its `dispatch`) on the executor's pool.
pub(super) fn run_planned<W: WorldDef>(world: &W, timed: bool) {
    let core = world.core();
    core.executor.run_planned(core.runner.dispatch(), &|index| {
        run_one(world, index, timed)
    });
}

#[cfg(test)]
mod tests {
    use super::run_each;
    use std::cell::RefCell;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn every_system_runs_in_order_and_the_first_panic_reaches_the_caller() {
        let ran = RefCell::new(Vec::new());
        let caught = catch_unwind(AssertUnwindSafe(|| {
            run_each([0u16, 1, 2, 3].into_iter(), |index| {
                ran.borrow_mut().push(index);
                if index == 1 || index == 2 {
                    std::panic::panic_any(index);
                }
            })
        }));
        assert_eq!(
            *ran.borrow(),
            [0, 1, 2, 3],
            "the systems after a panic run too"
        );
        let payload = caught.expect_err("the panic is resumed");
        assert_eq!(payload.downcast_ref::<u16>(), Some(&1), "the first one");
    }

    #[test]
    fn without_a_panic_nothing_unwinds() {
        let ran = RefCell::new(0);
        run_each(0u16..5, |_| *ran.borrow_mut() += 1);
        assert_eq!(*ran.borrow(), 5);
    }
}
