//! The machine a run was measured on: processor, cores, memory, OS, rustc, date; and the
//! process's peak resident memory.

use std::process::Command;
use std::time::SystemTime;

/// What the report says about the machine.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    /// The processor and its caches: figures of the same build differ between processors by
    /// more than their goals' margins (a cache's size moves what the client's code costs).
    pub(crate) cpu: String,
    pub(crate) cores: usize,
    pub(crate) memory: String,
    pub(crate) os: String,
    pub(crate) rustc: String,
    pub(crate) date: String,
}

pub(crate) fn describe() -> Machine {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = proc_field("/proc/meminfo", "MemTotal:").map_or_else(
        || "unknown".to_owned(),
        |kb| format!("{:.1} GiB", kb as f64 / 1_048_576.0),
    );
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| format!(", Linux {}", k.trim()))
        .unwrap_or_default();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let rustc = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |v| v.trim().to_owned());
    Machine {
        cpu: cpu(),
        cores,
        memory,
        os: format!("{os}{kernel} ({})", std::env::consts::ARCH),
        rustc,
        date: httpdate::fmt_http_date(SystemTime::now()),
    }
}

/// The processor as `/proc/cpuinfo` names it (a virtual machine often gives a generic name,
/// so with its family and model numbers), and the first core's caches from sysfs:
/// `Intel(R) Xeon(R) Processor (family 6, model 207); caches L1d 48K, L1i 32K, L2 2048K, L3
/// 266240K`.
fn cpu() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    let mut cpu = field("model name").unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    if let (Some(family), Some(model)) = (field("cpu family"), field("model")) {
        cpu.push_str(&format!(" (family {family}, model {model})"));
    }
    let caches = (0..8)
        .map_while(|index| {
            let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{index}");
            let read = |file: &str| {
                std::fs::read_to_string(format!("{dir}/{file}"))
                    .ok()
                    .map(|text| text.trim().to_owned())
            };
            let (level, kind, size) = (read("level")?, read("type")?, read("size")?);
            let kind = match kind.as_str() {
                "Data" => "d",
                "Instruction" => "i",
                _ => "",
            };
            Some(format!("L{level}{kind} {size}"))
        })
        .collect::<Vec<_>>();
    if !caches.is_empty() {
        cpu.push_str(&format!("; caches {}", caches.join(", ")));
    }
    cpu
}

/// The peak resident set size of this process, in KiB (`VmHWM`), on Linux.
pub(crate) fn peak_rss_kib() -> Option<u64> {
    proc_field("/proc/self/status", "VmHWM:")
}

/// The number after `field` in a `/proc` file (`MemTotal:   16314080 kB`).
fn proc_field(path: &str, field: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
