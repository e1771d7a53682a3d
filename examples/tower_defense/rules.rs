//! The rules of the tower-defense game, as plain functions of numbers: the metronome
//! game (`game.rs`) and the bevy_ecs copy in `benches/benches/game.rs` both call these,
//! so the two do the same arithmetic on every entity, tick by tick.

/// Length of the path; an enemy at or past it has leaked through the defence.
pub const PATH_LEN: f32 = 1000.0;
/// Towers placed along the path when play starts.
pub const TOWERS: u32 = 32;
/// Every this many playing ticks a wave enters at the start of the path.
pub const WAVE_PERIOD: u32 = 25;
/// Ticks the menu shows before play starts.
pub const MENU_TICKS: u32 = 3;
/// Ticks of slow a frost shot leaves on an enemy.
pub const FROST_TICKS: u16 = 40;

/// What a game is set up with.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Enemies on the path when play starts (a wave brings an eighth of this).
    pub enemies: u32,
    /// Waves after the opening one; when all have come and gone, the game is won.
    pub waves: u32,
    /// Leaks the defence may suffer; the game is lost when they run out.
    pub lives: u32,
}

/// One tower's fixed description.
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TowerSpec {
    pub x: f32,
    pub range: f32,
    pub damage: i32,
    /// Ticks between shots.
    pub period: u32,
    /// A frost tower's shots slow the enemies they hit.
    pub frost: bool,
}

/// Tower `i` of [`TOWERS`]: spread evenly along the path, every fourth one frost.
pub fn tower(i: u32) -> TowerSpec {
    TowerSpec {
        x: (i as f32 + 0.5) * (PATH_LEN / TOWERS as f32),
        range: 8.0,
        damage: if i % 4 == 3 { 1 } else { 2 },
        period: 3 + i % 5,
        frost: i % 4 == 3,
    }
}

/// The first cooldown of tower `i` (so the towers do not all fire on the same tick).
pub fn first_cooldown(i: u32) -> u32 {
    i % tower(i).period
}

/// A shot: damage (and perhaps slow) to every enemy within `range` of `x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shot {
    pub x: f32,
    pub range: f32,
    pub damage: i32,
    /// Ticks of slow it leaves (0: none).
    pub chill: u16,
}

/// One tick of a tower: a shot when its cooldown is over (`chill`: the slow its shots
/// leave, 0 for none).
pub fn tower_tick(spec: &TowerSpec, cooldown: &mut u32, chill: u16) -> Option<Shot> {
    if *cooldown > 0 {
        *cooldown -= 1;
        return None;
    }
    *cooldown = spec.period - 1;
    Some(Shot {
        x: spec.x,
        range: spec.range,
        damage: spec.damage,
        chill,
    })
}

/// The enemy spawned `n`-th in the game (counting from 0), in wave `wave` (0: the opening
/// one, spread over the first half of the path; later ones enter at its start):
/// (position, speed, health).
pub fn enemy(n: u32, wave: u32) -> (f32, f32, i32) {
    let x = if wave == 0 {
        (n % 500) as f32 * (PATH_LEN / 1000.0)
    } else {
        0.0
    };
    let speed = 1.0 + (n % 7) as f32 * 0.25;
    (x, speed, 10 + (n % 5) as i32 * 10 + 20 * wave as i32)
}

/// One tick of an enemy's march: slowed enemies go at half speed, and the slow wears off.
pub fn march(x: &mut f32, speed: f32, chill: &mut u16) {
    let factor = if *chill > 0 { 0.5 } else { 1.0 };
    *x += speed * factor;
    *chill = chill.saturating_sub(1);
}

/// The shots of this tick landing on one enemy.
pub fn take_shots(x: f32, health: &mut i32, chill: &mut u16, shots: &[Shot]) {
    for s in shots {
        if (x - s.x).abs() <= s.range {
            *health -= s.damage;
            *chill = (*chill).max(s.chill);
        }
    }
}

/// What becomes of an enemy at the end of a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Marching,
    /// Killed, worth this many points.
    Killed(u32),
    Leaked,
}

pub fn fate(x: f32, speed: f32, health: i32) -> Fate {
    if health <= 0 {
        Fate::Killed(10 + (speed * 4.0) as u32)
    } else if x >= PATH_LEN {
        Fate::Leaked
    } else {
        Fate::Marching
    }
}

/// The score and counts a game keeps (a resource in both versions).
#[cfg_attr(
    feature = "serde",
    derive(metronome::serde::Serialize, metronome::serde::Deserialize),
    serde(crate = "metronome::serde")
)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub spawned: u32,
    pub waves: u32,
    pub kills: u32,
    pub leaks: u32,
    pub score: u64,
    pub playing_ticks: u32,
}

impl Tally {
    /// Enemies still on the path.
    pub fn on_path(&self) -> u32 {
        self.spawned - self.kills - self.leaks
    }

    /// Whether the game is over: out of lives, or every wave has come and gone.
    pub fn finished(&self, setup: &Setup) -> bool {
        self.leaks >= setup.lives || (self.waves >= setup.waves && self.on_path() == 0)
    }

    /// Whether a wave enters this tick (called after `playing_ticks` is counted).
    pub fn wave_due(&self, setup: &Setup) -> bool {
        self.playing_ticks.is_multiple_of(WAVE_PERIOD) && self.waves < setup.waves
    }
}

/// An order-independent fingerprint of the enemies on the path (position bits, health
/// and slow of each, summed), for comparing two runs entity by entity.
pub fn fingerprint(enemies: impl Iterator<Item = (f32, i32, u16)>) -> u64 {
    enemies.fold(0u64, |acc, (x, h, c)| {
        acc.wrapping_add(u64::from(x.to_bits()) ^ ((h as u32 as u64) << 20) ^ (u64::from(c) << 40))
    })
}
