"""Reading an OKR tree straight from git objects: no checkout, no temporary clone.

A few git processes per revision, whatever the size of the tree: ``rev-parse`` and ``ls-tree`` for
the listing, and one ``cat-file --batch`` for every blob read (none for a file read before).
"""

from __future__ import annotations

import errno
import hashlib
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from generator.load import SourceFile, SourceTree, read_files

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


@dataclass(frozen=True, slots=True)
class Revision:
    """A folder's files in one commit, listed but not read."""

    tree: str
    """The folder's git tree id (the same id, the very same files); empty when the commit has no such folder."""
    files: Mapping[str, tuple[str, str]]
    """Path inside the folder -> (git mode, blob id); read-only, as the revision is."""


def list_revision(repo: Path, revision: str, folder: str) -> Revision:
    """The files under ``folder`` (relative to the repository's top) in ``revision``."""
    commit = resolve(repo, revision)
    prefix = folder.strip("/")
    try:
        tree = _git(repo, "rev-parse", "--verify", "--quiet", f"{commit}:{prefix}" if prefix else f"{commit}^{{tree}}")
    except GitError:
        tree = b""  # no such folder in that commit: an empty tree, which the check reports
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit, *(("--", prefix) if prefix else ()))
    files: dict[str, tuple[str, str]] = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.decode("utf-8", "surrogateescape").partition("\t")
        mode, kind, sha = meta.split()
        if kind == "blob" and not prefix:
            files[path] = (mode, sha)
        elif kind == "blob" and path.startswith(prefix + "/"):
            files[path[len(prefix) + 1:]] = (mode, sha)
    return Revision(tree.decode().strip(), MappingProxyType(files))


class BlobStore:
    """The bytes of a repository's files, kept by blob id: read in one batch when asked to (``fetch``),
    else one at a time when first read. Two revisions a few files apart read each file once."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._blobs: dict[str, bytes] = {}

    def fetch(self, shas: Iterable[str]) -> None:
        self._blobs.update(_blobs(self.repo, [sha for sha in shas if sha not in self._blobs]))

    def fetch_tree(self, tree: SourceTree) -> None:
        """Every file of ``tree`` that is in git, in one batch: before a check reads them all."""
        self.fetch(file.read.sha for file in tree.files() if isinstance(file.read, Blob))

    def read(self, sha: str) -> bytes:
        if sha not in self._blobs:
            self.fetch([sha])
        if sha not in self._blobs:
            raise GitError(f"git has no object {sha}: in a shallow or partial clone, fetch the commits compared "
                           "(for example actions/checkout with fetch-depth: 0)")
        return self._blobs[sha]

    def files(self, revision: Revision) -> dict[str, Blob | None]:
        """The revision's files as ``read_files`` takes them (``None`` for a symbolic link), not read yet."""
        return {relative: None if mode == SYMLINK_MODE else Blob(self, sha)
                for relative, (mode, sha) in revision.files.items()}


@dataclass(frozen=True, slots=True)
class Blob:
    """Reads one file's bytes from git (``SourceFile.read``)."""

    store: BlobStore
    sha: str

    def __call__(self) -> bytes:
        try:
            return self.store.read(self.sha)
        except GitError as exc:
            raise OSError(errno.EIO, f"git could not read it: {exc}") from None  # the load reports strerror


def same_content(old: SourceFile, new: SourceFile) -> bool:
    """Whether two files hold the same bytes; for two files in git, known from their ids without reading them."""
    if isinstance(old.read, Blob) and isinstance(new.read, Blob):
        return old.read.sha == new.read.sha
    return old.read() == new.read()


def holds_revision(files: Mapping[str, bytes | None], listed: Revision) -> bool:
    """Whether ``files`` (path -> bytes, ``None`` for a symbolic link) are exactly ``listed``'s, byte for
    byte: known by hashing them as git names its blobs, without asking git for any."""
    if files.keys() != listed.files.keys():
        return False
    for path, content in files.items():
        mode, sha = listed.files[path]
        if content is None or mode == SYMLINK_MODE:
            if (content is None) != (mode == SYMLINK_MODE):
                return False
            continue
        digest = hashlib.new("sha1" if len(sha) == 40 else "sha256", b"blob %d\0" % len(content))
        digest.update(content)
        if digest.hexdigest() != sha:
            return False
    return True


def read_revision(repo: Path, revision: str, folder: str, blobs: BlobStore | None = None) -> SourceTree:
    """The OKR tree at ``folder`` (relative to the repository's top) as it is in ``revision``, read whole.
    ``blobs`` keeps what it read for the next call: two revisions a few files apart read each file once."""
    store = BlobStore(repo) if blobs is None else blobs
    tree = read_files(store.files(list_revision(repo, revision, folder)), folder.strip("/"))
    store.fetch_tree(tree)
    return tree


def _blobs(repo: Path, shas: list[str]) -> dict[str, bytes]:
    """The blobs git has of ``shas``; one it does not have (a shallow clone) is left out."""
    unique = list(dict.fromkeys(shas))
    if not unique:
        return {}
    output = _git(repo, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in unique).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for sha in unique:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].decode().split()
        position = header_end + 1
        if len(header) != 3:  # "<sha> missing", or "ambiguous"
            continue
        size = int(header[2])
        if header[1] == "blob":
            blobs[sha] = output[position: position + size]
        position += size + 1
    return blobs


def top_level(path: Path) -> Path:
    """The top folder of the git work tree that holds ``path``."""
    return Path(_git(path, "rev-parse", "--show-toplevel").decode().strip())
