//! The `sopflow` command line.

use clap::{Parser, Subcommand, ValueEnum};
use sopflow::render::{Format, HumanOptions};
use sopflow::{CheckConfig, Code, Lang};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sopflow",
    version,
    about = "Check and run SOP workflows written in the .sop language"
)]
struct Cli {
    /// Language of messages: en or id (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Id,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// Treat warnings as errors.
    Warnings,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check a bundle (directories of .sop files, or single files).
    Check {
        /// Files or directories; directories are searched for *.sop.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Fail on warnings too.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
        /// Colour for human output (auto: only on a terminal, never when NO_COLOR is set).
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorArg,
    },
    /// Explain a diagnostic code, e.g. `sopflow explain SOP0203`.
    Explain {
        /// The code (SOP0203) or rule name (unreachable-step); omit to list all.
        code: Option<String>,
    },
}

fn default_lang() -> Lang {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return Lang::from_locale(&v).unwrap_or(Lang::En);
            }
        }
    }
    Lang::En
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Id) => Lang::Id,
        None => default_lang(),
    };
    match cli.command {
        Command::Check {
            paths,
            format,
            deny,
            color,
        } => check(&paths, format, deny.is_some(), color, lang),
        Command::Explain { code } => explain(code.as_deref(), lang),
    }
}

fn check(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    color: ColorArg,
    lang: Lang,
) -> ExitCode {
    let loaded = match sopflow::load::load_paths(paths) {
        Ok(l) => l,
        Err(e) => {
            let prefix = if lang == Lang::Id { "galat" } else { "error" };
            eprintln!("{prefix}: {e}");
            return ExitCode::from(2);
        }
    };
    let report = sopflow::check_loaded(&loaded, &CheckConfig::default());
    let mut stdout = std::io::stdout().lock();
    let written = match format {
        Format::Human => {
            let use_color = match color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            drop(stdout);
            sopflow::render::write_human(&report, &loaded.sources, HumanOptions { lang }, use_color)
        }
        Format::Json => writeln!(
            stdout,
            "{}",
            sopflow::render::render_json(&report, &loaded.sources, lang)
        ),
        Format::Sarif => writeln!(
            stdout,
            "{}",
            sopflow::render::render_sarif(&report, &loaded.sources, lang)
        ),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    let failed = report.error_count() > 0 || (deny_warnings && report.warning_count() > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn explain(code: Option<&str>, lang: Lang) -> ExitCode {
    let Some(code) = code else {
        for c in Code::ALL {
            println!(
                "{}  {:<28} {:<8} {}",
                c.as_str(),
                c.name(),
                format!("{:?}", c.default_severity()).to_lowercase(),
                c.title().get(lang)
            );
        }
        return ExitCode::SUCCESS;
    };
    let Some(parsed) = Code::parse(code) else {
        if lang == Lang::Id {
            eprintln!(
                "galat: kode tidak dikenal `{code}`; jalankan `sopflow explain` untuk daftar kode"
            );
        } else {
            eprintln!("error: unknown code `{code}`; run `sopflow explain` for the list of codes");
        }
        return ExitCode::from(2);
    };
    match sopflow::explain::explain(parsed, lang) {
        Some(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        None => {
            // Every code is documented (a test enforces it); this is a build without docs.
            println!(
                "{} {}: {}",
                parsed.as_str(),
                parsed.name(),
                parsed.title().get(lang)
            );
            ExitCode::SUCCESS
        }
    }
}
