pub mod analyze;
pub mod check;
pub mod layout;

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
}

/// Write a command's output to stdout. A reader that went away (`perfi
/// analyze ... | head`) is not an error: the output is simply not needed.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(anyhow::Error::new(e).context("writing to stdout")),
        _ => Ok(()),
    }
}
