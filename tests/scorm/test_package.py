"""Reading SCORM packages: real ones made by another team's packager are accepted with their
launch SCO; hostile or broken ones are refused with the reason, before anything is written."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from curriculum.scorm import (
    ScormPackageError,
    inspect_package,
    package_folder,
    store_package,
)

from .packages import MANIFEST_12, handmade_package, zip_with_manifest


@pytest.mark.parametrize(
    ("version", "runtime", "edition"),
    [
        ("1.2", "1.2", "SCORM 1.2"),
        ("2004.3", "2004", "SCORM 2004 3rd Edition"),
        ("2004.4", "2004", "SCORM 2004 4th Edition"),
    ],
)
def test_packages_of_simple_scorm_packager(app, scorm_zip, version, runtime, edition):
    package = inspect_package(scorm_zip(version).read_bytes())
    assert (package.version, package.edition) == (runtime, edition)
    assert package.launch == "index.html"
    assert package.title == "Water at home"
    assert package.mastery_score == (80 if version == "1.2" else None)
    assert package.files > 2


def test_store_extracts_once_into_a_folder_named_by_its_hash(app, scorm_zip):
    data = scorm_zip("2004.4").read_bytes()
    package = inspect_package(data)
    folder = store_package(data, package)
    assert folder == package_folder(package.sha256)
    assert (folder / "imsmanifest.xml").is_file() and (folder / "index.html").is_file()
    assert store_package(data, package) == folder  # already there: kept as it is
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".incoming")]


def test_a_package_zipped_with_its_folder(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course/imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        archive.writestr("course/index.html", "<p>Hi</p>")
    data = buffer.getvalue()
    package = inspect_package(data)
    assert package.launch == "index.html"
    assert (store_package(data, package) / "index.html").read_text() == "<p>Hi</p>"


def test_launch_with_xml_base_and_parameters(app):
    manifest = (
        MANIFEST_12.replace("<resources>", '<resources xml:base="content/">')
        .replace('identifierref="res1"', 'identifierref="res1" parameters="?page=2"')
        .replace("__HREF__", "start%20here.html?lang=fr")
    )
    package = inspect_package(zip_with_manifest(manifest, {"content/start here.html": "x"}))
    assert package.launch == "content/start here.html?lang=fr&page=2"


XXE = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest identifier="x"><metadata><schemaversion>&secret;</schemaversion></metadata></manifest>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<manifest identifier="&lol4;"/>
"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (zip_with_manifest(XXE), "declares a DTD or entities"),
        (zip_with_manifest(LAUGHS), "declares a DTD or entities"),
        (handmade_package("../../etc/passwd"), "is outside the package"),
        (handmade_package("/etc/passwd"), "is outside the package"),
        (handmade_package("https://evil.example/x.html"), "is outside the package"),
        (handmade_package("sub/../../index.html"), "is outside the package"),
        (handmade_package("missing.html"), "'missing.html' is not in the package"),
        (zip_with_manifest("<manifest"), "not well-formed XML"),
        (zip_with_manifest("<html/>"), "not an IMS content packaging manifest"),
        (
            zip_with_manifest(MANIFEST_12.replace(">1.2<", ">2004 2nd Edition<")),
            "unsupported SCORM version '2004 2nd Edition'",
        ),
        (
            zip_with_manifest(
                MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="asset"')
            ),
            "no item launches a SCO",
        ),
        (b"not a zip at all", "not a valid .zip archive"),
    ],
)
def test_hostile_or_broken_packages_are_refused_with_the_reason(app, data, reason):
    with pytest.raises(ScormPackageError) as refused:
        inspect_package(data)
    assert reason in refused.value.message


def test_no_manifest(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "x")
    with pytest.raises(ScormPackageError, match="no imsmanifest.xml"):
        inspect_package(buffer.getvalue())


def test_the_zip_guards_of_the_pack_upload_apply(app):
    """Path slip, symbolic links and zip bombs: the pack upload's checks (zipsafe)."""
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        archive.writestr("../evil.html", "x")
    with pytest.raises(ScormPackageError, match="points outside the folder"):
        inspect_package(slip.getvalue())

    link = io.BytesIO()
    with zipfile.ZipFile(link, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        info = zipfile.ZipInfo("index.html")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(ScormPackageError, match="symbolic link"):
        inspect_package(link.getvalue())

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        archive.writestr("index.html", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(ScormPackageError, match="too large"):
        inspect_package(bomb.getvalue(), max_unzipped_bytes=1024 * 1024)


def zeros_zip(sizes: dict[str, int]) -> bytes:
    """A real zip whose entries are runs of zeros (``sizes`` in MB), written as a stream."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        archive.writestr("index.html", "<html><body>x</body></html>")
        for name, megabytes in sizes.items():
            with archive.open(name, "w") as entry:
                for _ in range(megabytes):
                    entry.write(bytes(1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_under_the_size_cap_is_refused_by_its_ratio(app):
    """450 MB of zeros in a zip of under 1 MB: under the 500 MB cap, refused by name."""
    bomb = zeros_zip({"media/blank.bin": 450})
    assert len(bomb) < 1024 * 1024
    with app.test_request_context():
        assert app.config["LMS_SCORM_MAX_UNZIPPED_MB"] == 500
        with pytest.raises(ScormPackageError) as error:
            inspect_package(bomb)
    assert error.value.message == (
        "The zip entry 'media/blank.bin' decompresses to more than 100 times its size "
        "(a zip bomb?)."
    )
    # many entries each too small to be looked at alone: the whole zip's ratio
    with pytest.raises(ScormPackageError, match="The zip's content decompresses to more than 100"):
        inspect_package(zeros_zip({f"media/{n}.bin": 3 for n in range(10)}))


def test_the_unzipped_cap_is_configurable(app):
    noise = io.BytesIO()
    with zipfile.ZipFile(noise, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12.replace("__HREF__", "index.html"))
        archive.writestr("index.html", os.urandom(2 * 1024 * 1024))
    app.config["LMS_SCORM_MAX_UNZIPPED_MB"] = 1
    with app.app_context(), pytest.raises(ScormPackageError, match=r"at most 1\.0 MB"):
        inspect_package(noise.getvalue())
    app.config["LMS_SCORM_MAX_UNZIPPED_MB"] = 3
    with app.app_context():
        assert inspect_package(noise.getvalue()).launch == "index.html"
