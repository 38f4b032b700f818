//! `file:PATH`: one NDJSON line per new event, appended by one writer thread that takes every
//! batch waiting, writes them together and syncs the file once (group commit) before any of
//! them is answered. Repeats are dropped against a bounded window of recent ids.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use tokio::sync::oneshot;

use super::window::Window;
use super::{FileOptions, OpenError, Sink, SinkError, SinkFuture};
use crate::event::Event;

/// Most batches taken into one group commit.
const MAX_GROUP: usize = 512;

type Reply<T> = oneshot::Sender<Result<T, SinkError>>;

enum Job {
    Write(Arc<Vec<Event>>, Reply<Vec<bool>>),
    Reset(Reply<()>),
}

/// The NDJSON file sink.
#[derive(Debug)]
pub struct FileSink {
    jobs: mpsc::Sender<Job>,
    path: PathBuf,
}

impl FileSink {
    /// Opens (creating its folder) the file for appending, or empties it with `truncate`.
    pub fn open(path: &Path, options: FileOptions) -> Result<FileSink, OpenError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|_| OpenError::FileOpen)?;
        }
        // Always in append mode, so every write lands at the end, also after a reset.
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|_| OpenError::FileOpen)?;
        if options.truncate {
            file.set_len(0).map_err(|_| OpenError::FileOpen)?;
        }
        let (jobs, inbox) = mpsc::channel();
        let mut writer = Writer {
            file,
            window: Window::new(options.window),
        };
        thread::Builder::new()
            .name("rtp-file-sink".to_string())
            .spawn(move || writer.run(inbox))
            .map_err(|_| OpenError::FileOpen)?;
        Ok(FileSink {
            jobs,
            path: path.to_path_buf(),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn ask<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, SinkError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(job(reply))
            .map_err(|_| SinkError::FileClosed)?;
        answer.await.map_err(|_| SinkError::FileClosed)?
    }
}

impl Sink for FileSink {
    fn write(&self, events: Arc<Vec<Event>>) -> SinkFuture<'_, Result<Vec<bool>, SinkError>> {
        Box::pin(self.ask(|reply| Job::Write(events, reply)))
    }

    fn ready(&self) -> SinkFuture<'_, bool> {
        // The writer answers every job; an empty write proves it is alive.
        Box::pin(async { self.write(Arc::new(Vec::new())).await.is_ok() })
    }

    fn close(&self) -> SinkFuture<'_, ()> {
        // Every answered write was already synced: nothing is buffered.
        Box::pin(async {})
    }

    fn reset(&self) -> SinkFuture<'_, Result<(), SinkError>> {
        Box::pin(self.ask(Job::Reset))
    }
}

struct Writer {
    file: File,
    window: Window,
}

impl Writer {
    fn run(&mut self, inbox: mpsc::Receiver<Job>) {
        while let Ok(first) = inbox.recv() {
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match inbox.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            self.commit(group);
        }
    }

    /// Writes the new events of every batch in the group, syncs once, then answers all.
    fn commit(&mut self, group: Vec<Job>) {
        let mut lines = Vec::new();
        let mut fresh_keys = Vec::new();
        let mut writes = Vec::new();
        for job in group {
            match job {
                Job::Reset(reply) => {
                    let done = self.file.set_len(0).map_err(|_| SinkError::FileWrite);
                    self.window.clear();
                    let _ = reply.send(done);
                }
                Job::Write(events, reply) => {
                    let mut fresh = Vec::with_capacity(events.len());
                    for event in events.iter() {
                        let new =
                            !self.window.contains(event.key) && !fresh_keys.contains(&event.key);
                        if new {
                            // Serialising a Value cannot fail (string keys only).
                            let _ = serde_json::to_writer(&mut lines, &event.json);
                            lines.push(b'\n');
                            fresh_keys.push(event.key);
                        }
                        fresh.push(new);
                    }
                    writes.push((fresh, reply));
                }
            }
        }
        let synced = if lines.is_empty() {
            Ok(())
        } else {
            self.append(&lines)
        };
        match synced {
            Ok(()) => {
                for key in fresh_keys {
                    self.window.insert(key);
                }
                for (fresh, reply) in writes {
                    let _ = reply.send(Ok(fresh));
                }
            }
            Err(e) => {
                for (_, reply) in writes {
                    let _ = reply.send(Err(e));
                }
            }
        }
    }

    /// Appends and syncs; on failure, cuts the file back so a retried batch is not stored twice.
    fn append(&mut self, lines: &[u8]) -> Result<(), SinkError> {
        let before = self.file.metadata().map(|m| m.len()).ok();
        let written = self
            .file
            .write_all(lines)
            .and_then(|()| self.file.sync_data());
        if written.is_err() {
            if let Some(len) = before {
                let _ = self.file.set_len(len);
            }
            return Err(SinkError::FileWrite);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(n: u32) -> Event {
        Event::new(json!({ "id": format!("{n:08x}-0000-4000-8000-{n:012x}"), "received": 1 }))
    }

    #[tokio::test]
    async fn a_repeat_in_a_later_batch_or_a_concurrent_one_is_written_once() {
        let dir = std::env::temp_dir().join(format!("rtp-file-sink-{}", std::process::id()));
        let path = dir.join("events.ndjson");
        let sink = Arc::new(
            FileSink::open(
                &path,
                FileOptions {
                    truncate: true,
                    window: 100,
                },
            )
            .unwrap(),
        );
        let batch = Arc::new(vec![event(1), event(2)]);
        let writes: Vec<_> = (0..20)
            .map(|_| {
                let sink = Arc::clone(&sink);
                let batch = Arc::clone(&batch);
                tokio::spawn(async move { sink.write(batch).await.unwrap() })
            })
            .collect();
        let mut new = 0;
        for w in writes {
            new += w.await.unwrap().iter().filter(|f| **f).count();
        }
        assert_eq!(new, 2);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
        sink.reset().await.unwrap();
        assert_eq!(sink.write(batch).await.unwrap(), [true, true]);
        fs::remove_dir_all(dir).unwrap();
    }
}
