//! The `sopflow` command line.

use clap::{Parser, Subcommand, ValueEnum};
use sopflow::render::scenario::{self as scen, ScenarioFormat};
use sopflow::render::{Format, HumanOptions};
use sopflow::{CheckConfig, Code, CompiledBundle, Lang, Report, SourceMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// Mermaid flowcharts, one per sop.
    Mermaid,
    /// Graphviz DOT, one digraph per sop.
    Dot,
    /// A Markdown page: a table of the sops and a Mermaid diagram for each.
    Markdown,
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
    /// Run every scenario (*.case.yaml) against a bundle; report failures and coverage.
    Test {
        /// The bundle: a directory of .sop files.
        bundle: PathBuf,
        /// Directory searched recursively for *.case.yaml [default: scenarios/ in the bundle's directory].
        #[arg(long, value_name = "DIR")]
        scenarios: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ScenarioFormat,
        /// Fail when the branch coverage of any sop is below N percent (0 to 100).
        #[arg(long, value_name = "N", value_parser = parse_percent)]
        min_coverage: Option<f64>,
    },
    /// Run one case's events through an sop and print what each event did.
    Run {
        /// The bundle: a directory of .sop files.
        bundle: PathBuf,
        /// The sop the case runs.
        #[arg(long, value_name = "ID")]
        sop: String,
        /// A scenario file, or a YAML list of events.
        #[arg(long, value_name = "FILE")]
        events: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ScenarioFormat,
    },
    /// Draw each sop (or one) as a flowchart: Mermaid, Graphviz DOT, or a Markdown page.
    Graph {
        /// Files or directories; directories are searched for *.sop.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Draw only this sop.
        #[arg(long, value_name = "ID")]
        sop: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(n) if (0.0..=100.0).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a percentage from 0 to 100")),
    }
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
        Command::Test {
            bundle,
            scenarios,
            format,
            min_coverage,
        } => test(&bundle, scenarios.as_deref(), format, min_coverage, lang),
        Command::Run {
            bundle,
            sop,
            events,
            format,
        } => run(&bundle, &sop, &events, format, lang),
        Command::Graph { paths, sop, format } => graph(&paths, sop.as_deref(), format, lang),
    }
}

fn error_prefix(lang: Lang) -> &'static str {
    if lang == Lang::Id { "galat" } else { "error" }
}

fn use_color(color: ColorArg) -> bool {
    match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Prints a diagnostics report as `check` does; `Err` holds the exit code for a write failure.
fn print_report(
    report: &Report,
    sources: &SourceMap,
    format: Format,
    color: ColorArg,
    lang: Lang,
) -> Result<(), ExitCode> {
    let written = match format {
        Format::Human => {
            sopflow::render::write_human(report, sources, HumanOptions { lang }, use_color(color))
        }
        Format::Json => writeln!(
            std::io::stdout().lock(),
            "{}",
            sopflow::render::render_json(report, sources, lang)
        ),
        Format::Sarif => writeln!(
            std::io::stdout().lock(),
            "{}",
            sopflow::render::render_sarif(report, sources, lang)
        ),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write output: {e}");
            Err(ExitCode::from(2))
        }
        _ => Ok(()),
    }
}

/// Prints `text` to stdout; a closed pipe is not an error.
fn print_out(text: &str) -> Result<(), ExitCode> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write output: {e}");
            Err(ExitCode::from(2))
        }
        _ => Ok(()),
    }
}

/// Loads and compiles a bundle for `test` and `run`: I/O problems exit 2,
/// error diagnostics are printed as `check` prints them and exit 1.
fn compile_bundle(
    path: &Path,
    format: ScenarioFormat,
    lang: Lang,
) -> Result<CompiledBundle, ExitCode> {
    let loaded = load(&[path.to_path_buf()], lang)?;
    let (report, bundle) = sopflow::compile_loaded(&loaded, &CheckConfig::default());
    match bundle {
        Some(b) => Ok(b),
        None => {
            let format = match format {
                ScenarioFormat::Human => Format::Human,
                ScenarioFormat::Json => Format::Json,
            };
            print_report(&report, &loaded.sources, format, ColorArg::Auto, lang)?;
            Err(ExitCode::from(1))
        }
    }
}

fn test(
    bundle_path: &Path,
    scenarios: Option<&Path>,
    format: ScenarioFormat,
    min_coverage: Option<f64>,
    lang: Lang,
) -> ExitCode {
    let bundle = match compile_bundle(bundle_path, format, lang) {
        Ok(b) => b,
        Err(code) => return code,
    };
    // A bundle given as one file keeps its scenarios beside it.
    let base = if bundle_path.is_file() {
        bundle_path.parent().unwrap_or(Path::new("."))
    } else {
        bundle_path
    };
    let dir = scenarios.map_or_else(|| base.join("scenarios"), Path::to_path_buf);
    let files = match sopflow::scenario::discover(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", error_prefix(lang));
            return ExitCode::from(2);
        }
    };
    let mut parsed = Vec::with_capacity(files.len());
    for path in &files {
        let file = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => parsed.push(sopflow::scenario::parse_scenario(&file, &text)),
            Err(e) => {
                eprintln!("{}: cannot read `{file}`: {e}", error_prefix(lang));
                return ExitCode::from(2);
            }
        }
    }
    let report = sopflow::scenario::run_suite(&bundle, parsed);
    let text = match format {
        ScenarioFormat::Human => scen::render_suite_human(&report, lang, min_coverage),
        ScenarioFormat::Json => scen::render_suite_json(&report, lang, min_coverage) + "\n",
    };
    if let Err(code) = print_out(&text) {
        return code;
    }
    let coverage_ok = min_coverage.is_none_or(|m| report.below(m).is_empty());
    if report.failed() == 0 && coverage_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run(
    bundle_path: &Path,
    sop: &str,
    events_path: &Path,
    format: ScenarioFormat,
    lang: Lang,
) -> ExitCode {
    let bundle = match compile_bundle(bundle_path, format, lang) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if !bundle.sops.contains_key(sop) {
        let known: Vec<&str> = bundle.sops.keys().map(String::as_str).collect();
        return unknown_sop(sop, &known, lang);
    }
    let file = events_path.display().to_string();
    let text = match std::fs::read_to_string(events_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: cannot read `{file}`: {e}", error_prefix(lang));
            return ExitCode::from(2);
        }
    };
    let events = match sopflow::scenario::parse_events(&file, &text) {
        Ok(ev) => ev,
        Err(e) => {
            eprintln!(
                "{}: {file}: {}",
                error_prefix(lang),
                scen::scenario_error_text(&e, lang)
            );
            return ExitCode::from(2);
        }
    };
    if let Some(other) = events.sop.as_deref().filter(|s| *s != sop) {
        if lang == Lang::Id {
            eprintln!("galat: `{file}` adalah skenario untuk sop `{other}`, bukan `{sop}`");
        } else {
            eprintln!("error: `{file}` is a scenario for sop `{other}`, not `{sop}`");
        }
        return ExitCode::from(2);
    }
    let trace = sopflow::scenario::trace_events(
        &bundle,
        sop,
        &events.case_id,
        events.start,
        &events.events,
    );
    let text = match format {
        ScenarioFormat::Human => scen::render_trace_human(&trace, lang),
        ScenarioFormat::Json => scen::render_trace_json(&trace, lang) + "\n",
    };
    if let Err(code) = print_out(&text) {
        return code;
    }
    if trace.all_as_expected() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints the diagrams of a bundle. Error diagnostics go to stderr as
/// `check` renders them (stdout is for the diagram) and exit 1.
fn graph(paths: &[PathBuf], sop: Option<&str>, format: GraphFormat, lang: Lang) -> ExitCode {
    use sopflow::diagram::{DiagramError, Format as DiagramFormat, Library};
    let loaded = match load(paths, lang) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let report = sopflow::check_loaded(&loaded, &CheckConfig::default());
    if report.error_count() > 0 {
        eprint!(
            "{}",
            sopflow::render::render_human(&report, &loaded.sources, HumanOptions { lang })
        );
        return ExitCode::from(1);
    }
    let files = sopflow::parse_sources(&loaded.sources, &loaded.unreadable);
    let library = Library::new(files.iter().map(|(name, ast)| (*name, ast)));
    let entries = match sop {
        None => library.sops().to_vec(),
        Some(name) => match library.get(name) {
            Ok(entry) => vec![*entry],
            Err(DiagramError::UnknownSop { name, known }) => {
                return unknown_sop(&name, &known, lang);
            }
        },
    };
    if entries.is_empty() && format != GraphFormat::Markdown {
        if lang == Lang::Id {
            eprintln!("peringatan: bundel tidak berisi sop; tidak ada yang digambar");
        } else {
            eprintln!("warning: the bundle declares no sop; nothing to draw");
        }
    }
    let format = match format {
        GraphFormat::Mermaid => DiagramFormat::Mermaid,
        GraphFormat::Dot => DiagramFormat::Dot,
        GraphFormat::Markdown => DiagramFormat::Markdown,
    };
    match print_out(&library.render(&entries, format)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

fn check(
    paths: &[PathBuf],
    format: Format,
    deny_warnings: bool,
    color: ColorArg,
    lang: Lang,
) -> ExitCode {
    let loaded = match load(paths, lang) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let report = sopflow::check_loaded(&loaded, &CheckConfig::default());
    if let Err(code) = print_report(&report, &loaded.sources, format, color, lang) {
        return code;
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

/// Reports a `--sop` that names no sop of the bundle (a usage error: exit 2).
fn unknown_sop<S: AsRef<str>>(sop: &str, known: &[S], lang: Lang) -> ExitCode {
    let known = known
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if lang == Lang::Id {
        eprintln!("galat: sop `{sop}` tidak ada di bundel; yang ada: {known}");
    } else {
        eprintln!("error: no sop `{sop}` in the bundle; it has: {known}");
    }
    ExitCode::from(2)
}

/// Reads the bundle's files; an I/O problem is reported and is exit 2.
fn load(paths: &[PathBuf], lang: Lang) -> Result<sopflow::load::Loaded, ExitCode> {
    sopflow::load::load_paths(paths).map_err(|e| {
        eprintln!("{}: {e}", error_prefix(lang));
        ExitCode::from(2)
    })
}
