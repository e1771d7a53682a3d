//! What the interleaved drivers (`interleaved`, `ecs_interleaved`, `fib_interleaved`)
//! share: their positional arguments and the median of a round's times.
#![allow(dead_code)]

/// The program's arguments but the flags: `cargo bench` appends `--bench`, and every
/// other argument of these drivers is positional.
pub fn positional_args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}

/// Argument `i` of `args` as a number, `default` if absent (a panic naming it if it is
/// not a number).
pub fn number_arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).map_or(default, |a| {
        a.parse()
            .unwrap_or_else(|_| panic!("argument {i}: a number, not {a:?}"))
    })
}

/// The median of `values` (the upper of the middle two of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
