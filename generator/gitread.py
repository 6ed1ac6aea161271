"""Reading an OKR tree straight from git objects: no checkout, no temporary clone.

Two git processes per revision, whatever the size of the tree: ``ls-tree`` for the listing and one
``cat-file --batch`` for every blob.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from generator.load import SourceTree, read_files

SYMLINK_MODE = "120000"


class GitError(Exception):
    """A revision or repository git cannot read; the message is for the user."""


def _git(repo: Path, *args: str, stdin: bytes = b"") -> bytes:
    # Only the output is a pipe, read whole: with the input and the errors piped too, the hundreds of
    # megabytes of a large company's files came through a poll for every 32 KiB (a third of a diff).
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as errors:
        given.write(stdin)
        given.seek(0)
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], stdin=given, stdout=subprocess.PIPE, stderr=errors,
                                  check=False)
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        if done.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def resolve(repo: Path, revision: str) -> str:
    """The commit a revision names; ``GitError`` when it names none."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"'{revision}' is not a commit in {repo}") from None


def read_revision(repo: Path, revision: str, folder: str, blobs: dict[str, bytes] | None = None) -> SourceTree:
    """The OKR tree at ``folder`` (relative to the repository's top) as it is in ``revision``. ``blobs``
    holds file contents by object id, read before and kept for the next call: two revisions a few files
    apart read each file once."""
    return read_files(revision_files(repo, revision, folder, blobs), folder.strip("/"))


def revision_files(repo: Path, revision: str, folder: str, blobs: dict[str, bytes] | None = None,
                   ) -> dict[str, bytes | None]:
    """The files under ``folder`` in ``revision`` (path inside it -> bytes, ``None`` for a symbolic link),
    as ``read_files`` takes them; ``blobs`` as for ``read_revision``."""
    commit = resolve(repo, revision)
    prefix = folder.strip("/")
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
    entries: list[tuple[str, str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.decode("utf-8", "surrogateescape").partition("\t")
        mode, kind, sha = meta.split()
        if kind == "blob" and (path == prefix or path.startswith(prefix + "/")):
            entries.append((path[len(prefix) + 1:], mode, sha))
    blobs = {} if blobs is None else blobs
    blobs.update(_blobs(repo, [sha for _, mode, sha in entries if mode != SYMLINK_MODE and sha not in blobs]))
    return {relative: None if mode == SYMLINK_MODE else blobs[sha] for relative, mode, sha in entries}


def _blobs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    unique = list(dict.fromkeys(shas))
    if not unique:
        return {}
    output = _git(repo, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in unique).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for sha in unique:
        header_end = output.index(b"\n", position)
        _, _, size = output[position:header_end].decode().split()
        start = header_end + 1
        blobs[sha] = output[start: start + int(size)]
        position = start + int(size) + 1
    return blobs


def top_level(path: Path) -> Path:
    """The top folder of the git work tree that holds ``path``."""
    return Path(_git(path, "rev-parse", "--show-toplevel").decode().strip())
