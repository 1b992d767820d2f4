//! `FileEmailSender`: writes each email as an `.eml` file into a folder, for development (the reference server's
//! default). One file per `Message-ID`: sending the same message again writes nothing new.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use nite_core::email::{EmailMessage, EmailSender};
use nite_core::{Error, Result};

/// Emails as `.eml` files in a folder (written with tokio's file I/O: call it on a tokio runtime).
#[derive(Debug, Clone)]
pub struct FileEmailSender {
    dir: PathBuf,
}

impl FileEmailSender {
    /// Writes into `dir`, creating it if needed.
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<FileEmailSender> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(FileEmailSender { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a message goes to: its `Message-ID`, reduced to safe characters.
    pub fn path_of(&self, message_id: &str) -> PathBuf {
        let name: String = message_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@') { c } else { '_' })
            .collect();
        self.dir.join(format!("{}.eml", name.trim_matches('_')))
    }
}

#[async_trait]
impl EmailSender for FileEmailSender {
    fn name(&self) -> &'static str {
        "file"
    }

    async fn send(&self, email: &EmailMessage) -> Result<()> {
        let path = self.path_of(&email.message_id);
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        let bytes = crate::mime::message(email)?.formatted();
        // Write beside, then rename: a reader never sees half a message.
        let partial = path.with_extension("eml.partial");
        let io = |e: std::io::Error| Error::adapter(format!("writing {}", path.display()), e);
        tokio::fs::write(&partial, &bytes).await.map_err(io)?;
        tokio::fs::rename(&partial, &path).await.map_err(io)?;
        Ok(())
    }
}
