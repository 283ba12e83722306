"""Uploaded pack zips are extracted safely, or refused with a clear reason."""

from __future__ import annotations

import io
import stat
import warnings
import zipfile
from pathlib import Path

import pytest

from curriculum.pack import load_pack
from curriculum.zipsafe import NotAZip, UnsafeZipEntry, ZipTooLarge, extract_pack_zip, unpacked_zip

from .conftest import MINIMAL


def make_zip(entries: dict[str, bytes] | list[tuple[str | zipfile.ZipInfo, bytes]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we build on purpose
        for name, data in entries.items() if isinstance(entries, dict) else entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def minimal_entries(prefix: str) -> dict[str, bytes]:
    return {
        prefix + str(path.relative_to(MINIMAL)): path.read_bytes()
        for path in sorted(MINIMAL.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("prefix", ["minimal/", ""], ids=["single top folder", "files at the root"])
def test_a_pack_zip_is_extracted_and_loads(prefix, tmp_path):
    upload = make_zip({**minimal_entries(prefix), "__MACOSX/._course.yaml": b"junk"})

    folder = extract_pack_zip(upload, tmp_path)

    assert folder == (tmp_path / prefix.rstrip("/") if prefix else tmp_path)
    pack, problems = load_pack(folder)
    assert problems == [] and pack.slug == "minimal-course"
    assert not (tmp_path / "__MACOSX").exists()


def test_the_temporary_folder_is_removed_afterwards():
    with unpacked_zip(make_zip(minimal_entries("minimal/"))) as folder:
        assert (folder / "course.yaml").is_file()
    assert not folder.exists()


def symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("../evil", b"x")], "The zip entry '../evil' points outside the folder."),
        ([("pack/../../evil", b"x")], "The zip entry 'pack/../../evil' points outside the folder."),
        ([("/etc/passwd", b"x")], "The zip entry '/etc/passwd' is an absolute path."),
        ([("C:/windows/x", b"x")], "The zip entry 'C:/windows/x' is an absolute path."),
        ([("pack\\..\\evil", b"x")], "The zip entry 'pack\\..\\evil' contains a backslash."),
        (
            [symlink("pack/assets/a.png", "/etc/passwd")],
            "The zip entry 'pack/assets/a.png' is a symbolic link.",
        ),
        ([("a.md", b"1"), ("a.md", b"2")], "The zip has the entry 'a.md' twice."),
        ([("A.md", b"1"), ("a.md", b"2")], "The zip has the entry 'a.md' twice."),
        ([("a", b"1"), ("a/b", b"2")], "The zip has 'a' both as a file and as a folder."),
    ],
)
def test_unsafe_entries_are_refused_before_anything_is_written(entries, message, tmp_path):
    upload = make_zip(entries)

    with pytest.raises(UnsafeZipEntry) as error:
        extract_pack_zip(upload, tmp_path)

    assert error.value.message == message
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "evil").exists()


LONG_PATH = "pack/" + ("d" * 99 + "/") * 41 + "x" * 92 + ".md"  # 4,200 characters
LONG_NAME = "pack/assets/" + "n" * 296 + ".png"  # a 300-character file name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            LONG_PATH,
            "The zip entry 'pack/ddddddddddddddddddddddddddddddddddd…xxxxxxxxxxxxxxxxx.md'"
            " has a path longer than 1000 characters.",
        ),
        (
            LONG_NAME,
            "The zip entry 'pack/assets/nnnnnnnnnnnnnnnnnnnnnnnnnnnn…nnnnnnnnnnnnnnnn.png'"
            " has a file or folder name longer than 255 characters.",
        ),
    ],
    ids=["4,200-character path", "300-character name"],
)
def test_names_too_long_for_the_file_system_are_refused_with_the_entry(name, message, tmp_path):
    upload = make_zip({**minimal_entries("pack/"), name: b"x"})

    with pytest.raises(UnsafeZipEntry) as error:
        extract_pack_zip(upload, tmp_path)

    assert error.value.message == message
    assert list(tmp_path.iterdir()) == []


def test_a_zip_bomb_is_refused_by_its_uncompressed_size(tmp_path):
    upload = make_zip({"pack/big.md": b"0" * 2_000_000})

    with pytest.raises(ZipTooLarge) as error:
        extract_pack_zip(upload, tmp_path, max_unzipped_bytes=1_000_000)

    assert error.value.message == "The zip's content is too large (at most 1.0 MB)."
    assert list(tmp_path.iterdir()) == []


def test_a_zip_too_large_or_with_too_many_files_is_refused(tmp_path):
    upload = make_zip({f"pack/{i}.md": b"x" for i in range(20)})

    with pytest.raises(ZipTooLarge, match="too many entries"):
        extract_pack_zip(upload, tmp_path, max_files=10)
    with pytest.raises(ZipTooLarge, match="The zip is too large"):
        extract_pack_zip(upload, tmp_path, max_zip_bytes=100)


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    with pytest.raises(NotAZip) as error:
        extract_pack_zip(io.BytesIO(b"not a zip at all"), tmp_path)

    assert error.value.message == "The file is not a valid .zip archive."


def test_a_zip_on_disk_works_too(tmp_path):
    archive = tmp_path / "pack.zip"
    archive.write_bytes(make_zip(minimal_entries("minimal/")).getvalue())
    (tmp_path / "out").mkdir()

    folder = extract_pack_zip(archive, tmp_path / "out")

    assert folder == tmp_path / "out" / "minimal"
    assert (
        Path(folder / "assets/diagram.png").read_bytes()
        == (MINIMAL / "assets/diagram.png").read_bytes()
    )
