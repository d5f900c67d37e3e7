//! Criterion benchmarks of the parser and checker on generated bundles of
//! 10^3, 10^4 and 10^5 steps, valid and with defects (1 per 100 steps):
//!
//! * `parse_check/{valid,defective}/N`: `sopflow::check_sources`, the whole
//!   library pipeline (parse every file, check, sort diagnostics, drop the ASTs);
//! * `parse/{valid,defective}/N`: `sopflow_syntax::parse_file` on every file
//!   (dropping the trees is not timed; each tree is dropped before the next
//!   iteration, so memory does not pile up);
//! * `check/{valid,defective}/N`: `sopflow_check::check` on trees parsed beforehand.
//!
//! Throughput is in steps, so criterion also prints steps per second, which
//! stays flat when a phase grows linearly. Run with
//! `cargo bench -p sopflow-bench` (a few minutes on 2 cores) or filter, e.g.
//! `cargo bench -p sopflow-bench -- check/valid`.

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use sopflow_bench::{Bundle, GenConfig, generate};
use sopflow_diagnostics::SourceMap;
use std::hint::black_box;
use std::time::Duration;

const SIZES: &[usize] = &[1_000, 10_000, 100_000];
const DEFECT_RATE: f64 = 0.01;
const SEED: u64 = 42;

struct Input {
    steps: usize,
    variant: &'static str,
    map: SourceMap,
}

fn inputs() -> Vec<Input> {
    let mut v = Vec::new();
    for &steps in SIZES {
        for (variant, defect_rate) in [("valid", 0.0), ("defective", DEFECT_RATE)] {
            let bundle: Bundle = generate(&GenConfig {
                steps,
                defect_rate,
                seed: SEED,
                ..GenConfig::default()
            });
            v.push(Input {
                steps,
                variant,
                map: bundle.source_map(),
            });
        }
    }
    v
}

/// Keeps big inputs to a few seconds each: few samples, flat sampling.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    steps: usize,
) {
    group.throughput(Throughput::Elements(steps as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    if steps >= 10_000 {
        group.sampling_mode(SamplingMode::Flat);
        group.measurement_time(Duration::from_secs(if steps >= 100_000 { 8 } else { 3 }));
    } else {
        group.sampling_mode(SamplingMode::Auto);
        group.measurement_time(Duration::from_secs(2));
    }
}

fn parse_all(map: &SourceMap) -> Vec<sopflow_syntax::ast::File> {
    map.iter()
        .map(|(id, f)| sopflow_syntax::parse_file(id, &f.text).0)
        .collect()
}

fn benches(c: &mut Criterion) {
    let inputs = inputs();
    let config = sopflow::CheckConfig::default();

    for input in &inputs {
        let mut group = c.benchmark_group(format!("parse_check/{}", input.variant));
        configure(&mut group, input.steps);
        group.bench_with_input(
            BenchmarkId::from_parameter(input.steps),
            &input.map,
            |b, map| b.iter(|| sopflow::check_sources(black_box(map), &config)),
        );
        group.finish();
    }
    for input in &inputs {
        let mut group = c.benchmark_group(format!("parse/{}", input.variant));
        configure(&mut group, input.steps);
        group.bench_with_input(
            BenchmarkId::from_parameter(input.steps),
            &input.map,
            |b, map| {
                b.iter_batched(
                    || (),
                    |()| parse_all(black_box(map)),
                    BatchSize::PerIteration,
                )
            },
        );
        group.finish();
    }
    for input in &inputs {
        let files = parse_all(&input.map);
        let mut group = c.benchmark_group(format!("check/{}", input.variant));
        configure(&mut group, input.steps);
        group.bench_with_input(
            BenchmarkId::from_parameter(input.steps),
            &files,
            |b, files| b.iter(|| sopflow_check::check(black_box(files), &config)),
        );
        group.finish();
    }
}

criterion_group!(check, benches);
criterion_main!(check);
