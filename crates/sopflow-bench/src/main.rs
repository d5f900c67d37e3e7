//! `sopflow-gen`: writes a generated `.sop` bundle to a directory.
//!
//! ```text
//! sopflow-gen gen --steps 1e5 [--defects 0.01] [--seed 42] [--steps-per-sop 1000] --out bench-data/n100000
//! ```

use clap::{Parser, Subcommand};
use sopflow_bench::{GenConfig, generate};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sopflow-gen",
    version,
    about = "Generate realistic .sop bundles for benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a bundle and write it to a directory.
    Gen {
        /// Total steps and ends, e.g. 100000, 1e5 or 100_000.
        #[arg(long, value_parser = parse_count)]
        steps: usize,
        /// Defects per step to inject (0 for a valid bundle), e.g. 0.01.
        #[arg(long, default_value_t = 0.0)]
        defects: f64,
        /// Seed of the generator.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Steps per SOP (one SOP per file).
        #[arg(long, default_value_t = 1000, value_parser = parse_count)]
        steps_per_sop: usize,
        /// Output directory (its existing .sop files are replaced).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Parses `100000`, `100_000`, `1e5` or `10^5`.
fn parse_count(s: &str) -> Result<usize, String> {
    let t = s.replace('_', "");
    let parsed = if let Some((m, e)) = t.split_once(['e', 'E']) {
        let m: usize = m.parse().map_err(|e| format!("{e}"))?;
        let e: u32 = e.parse().map_err(|e| format!("{e}"))?;
        10usize.checked_pow(e).and_then(|p| p.checked_mul(m))
    } else if let Some((b, e)) = t.split_once('^') {
        let b: usize = b.parse().map_err(|e| format!("{e}"))?;
        let e: u32 = e.parse().map_err(|e| format!("{e}"))?;
        b.checked_pow(e)
    } else {
        Some(t.parse().map_err(|e| format!("{e}"))?)
    };
    match parsed {
        Some(n) if n > 0 => Ok(n),
        Some(_) => Err("must be positive".into()),
        None => Err("too large".into()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Gen {
            steps,
            defects,
            seed,
            steps_per_sop,
            out,
        } => {
            if !(0.0..=1.0).contains(&defects) {
                eprintln!("error: --defects must be between 0 and 1");
                return ExitCode::from(2);
            }
            let bundle = generate(&GenConfig {
                steps,
                steps_per_sop,
                defect_rate: defects,
                seed,
            });
            if let Err(e) = bundle.write_to_dir(&out) {
                eprintln!("error: cannot write `{}`: {e}", out.display());
                return ExitCode::from(2);
            }
            println!(
                "{}: {} files, {} bytes, {} sops, {} steps, {} defects",
                out.display(),
                bundle.files.len(),
                bundle.bytes(),
                bundle.sops,
                bundle.steps,
                bundle.defects.len()
            );
            ExitCode::SUCCESS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts() {
        assert_eq!(parse_count("1000"), Ok(1000));
        assert_eq!(parse_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_count("1e6"), Ok(1_000_000));
        assert_eq!(parse_count("10^5"), Ok(100_000));
        assert!(parse_count("0").is_err());
        assert!(parse_count("x").is_err());
    }
}
