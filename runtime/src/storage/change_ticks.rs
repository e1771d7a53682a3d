//! The storage's change tick: advancing and clamping it, tracking components and
//! logging their removals (worlds with `track(...)` components).

use super::{ticks, RemovalLog, Storage, NO_SLOT};
use crate::entity::Entity;

impl Storage {
    /// Tracks the changes of components `ids` in every table that has them.
    pub fn track(&mut self, ids: &[u16]) {
        for table in self.tables.iter_mut() {
            table.track(ids);
        }
        self.removed = (0..self.columns.components())
            .map(|_| RemovalLog::default())
            .collect();
        let now = self.change_tick;
        self.set_change_tick(now);
    }

    /// The change tick when the world's last `tick` began (`Added`/`Changed` of a query
    /// outside systems see the changes since).
    #[inline(always)]
    pub fn frame_tick(&self) -> u32 {
        self.frame_tick
    }

    /// Advances the change tick by one (a stage begins or ends); with `frame`, also
    /// records it as the start of a frame.
    pub(crate) fn advance_change_tick(&mut self, frame: bool) {
        if frame {
            self.frame_tick = self.change_tick;
            let now = self.change_tick;
            for log in self.removed.iter_mut() {
                log.prune(now);
            }
        }
        let next = self.change_tick.wrapping_add(1);
        self.set_change_tick(next);
    }

    /// Marks `entity`'s component `id` changed now (a write through `&mut` world), if
    /// the component is tracked.
    pub(crate) fn mark_changed(&mut self, entity: Entity, id: u16) {
        if let Some(location) = self.index.get(entity) {
            if let Some(ticks) = self.tables[location.archetype as usize].ticks_mut() {
                ticks.mark_changed(id, location.row as usize);
            }
        }
    }

    /// Moves the change tick to `now` as if time had passed steadily: every stored tick
    /// (and the frame start) older than the maximum age is clamped first.
    pub fn restart_change_tick(&mut self, now: u32) {
        self.clamped_at = now.wrapping_sub(ticks::CHECK_INTERVAL);
        self.set_change_tick(now);
    }

    /// The removal log of tracked component `id` (`None` if it is not tracked).
    #[inline]
    pub fn removals(&self, id: u16) -> Option<&RemovalLog> {
        self.removed.get(id as usize)
    }

    /// Logs that `entity` loses the tracked components of table `from` that table `to`
    /// lacks (all of them when `to` is `None`: a despawn).
    pub(super) fn log_removals(&mut self, entity: Entity, from: usize, to: Option<usize>) {
        let Some(ticks) = self.tables[from].ticks() else {
            return;
        };
        let now = self.change_tick;
        for &id in ticks.ids() {
            let kept = to.is_some_and(|to| self.tables[to].slot(id) != NO_SLOT);
            if !kept {
                if let Some(log) = self.removed.get_mut(id as usize) {
                    log.push(entity, now);
                }
            }
        }
    }

    /// The current change tick.
    #[inline(always)]
    pub fn change_tick(&self) -> u32 {
        self.change_tick
    }

    /// Sets the change tick: new rows and writes are stamped with it from now on. Every
    /// [`ticks::CHECK_INTERVAL`] ticks, every stored tick older than
    /// [`ticks::MAX_CHANGE_AGE`] is clamped to that age, so that ages never wrap.
    pub fn set_change_tick(&mut self, now: u32) {
        self.frame_tick = ticks::clamp(self.frame_tick, now);
        self.change_tick = now;
        let clamp = now.wrapping_sub(self.clamped_at) >= ticks::CHECK_INTERVAL;
        if clamp {
            self.clamped_at = now;
        }
        for table in self.tables.iter_mut() {
            if let Some(ticks) = table.ticks_mut() {
                ticks.set_now(now);
                if clamp {
                    ticks.clamp(now);
                }
            }
        }
    }
}
