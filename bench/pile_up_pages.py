"""Benchmark: every page after an organiser's pile-up import, in the running app.

Run from the repository root:  python bench/pile_up_pages.py [--slots 1500 4000]

An independent tester imported a festival CSV of 1,500 slots at one stage at the same hour
(`Open stage act N,hansaplatz,2027-05-08,20:00,21:00`): the import answered after 28 s, a
viewer's Overview then took 15–18 s and the Conflicts page 481 s with 5.1 GB of memory; 4,000
slots gave 16 million `venue_overlap` pairs. This starts `streamlit run app.py` on a fresh
SQLite database with the sample plan, signs an organiser in (a Streamlit websocket client that
sends exactly the browser's messages, tests/support/streamlit_client.py), uploads the file on
the Festival page and clicks Import, in files of at most the organisers' rows per file; then a
viewer opens every page. It reports the wall time of each step (request sent until the script run ended,
the first run after the import, when the draft and its conflicts are computed anew) and the
server's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from support.appserver import app_process  # noqa: E402
from support.streamlit_client import PASSWORD, Client, Outcome, Session  # noqa: E402

VIEWER_PAGES = ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts", "calendars"]


STAGES = ["friedensplatz", "alter-markt", "hansaplatz", "platz-von-leeds", "platz-von-amiens", "platz-von-netanya"]


def pile_up_csv(first: int, count: int, shape: str = "pile") -> bytes:
    """`pile`: every slot at Hansaplatz on Saturday 20:00–21:00. `groups` (a second tester's
    answer to the pile-up bound): groups of ten identical five-minute slots with the same four
    performers, each group at the next stage and six minutes after the one before, so that no
    group has more than 45 overlapping pairs and each slot is in about 21 conflicts."""
    rows = ["title,stage,day,start,end" + (",performers" if shape == "groups" else "")]
    for n in range(first, first + count):
        if shape == "pile":
            rows.append(f"Open stage act {n},hansaplatz,2027-05-08,20:00,21:00")
            continue
        group = n // 10
        minute = 7 * 60 + group * 6 % (15 * 60)
        day = f"2027-05-0{7 + group * 6 // (15 * 60) % 3}"
        rows.append(
            f"Set {group}-{n % 10},{STAGES[group % len(STAGES)]},{day},{minute // 60:02d}:{minute % 60:02d},"
            f"{(minute + 5) // 60:02d}:{(minute + 5) % 60:02d},host;perf-bigband;perf-choir;perf-dj"
        )
    return ("\n".join(rows) + "\n").encode()


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def import_as_organiser(base: str, slots: int, per_file: int, timings: dict, shape: str = "pile") -> None:
    client = Client(base, Session(0, "organiser", "organiser"), Outcome())
    await client.connect()
    try:
        await client.sign_in()
        await client.open("festival")
        for number, first in enumerate(range(0, slots, per_file), start=1):
            count = min(per_file, slots - first)
            uploader = next(w for w in client.tree.get("file_uploader") if (w.key or "").startswith("programme-file"))
            state = await client.upload(uploader.id, f"pile-{first}.csv", pile_up_csv(first, count, shape))
            began = time.monotonic()
            await client.run("upload", [state])
            button = client.widget("button", "import-programme")
            if button is None:
                raise RuntimeError(f"no Import button: {[e.value for e in client.tree.error][:3]}")
            await client.run("import", [state, WidgetState(id=button.id, trigger_value=True)])
            timings[f"organiser: upload and import file {number} ({count:,} rows)"] = time.monotonic() - began
            if not any("Imported" in s.value for s in client.tree.success):
                raise RuntimeError(f"not imported: {[e.value for e in client.tree.error][:3]}")
    finally:
        await client.close()


async def read_as_viewer(base: str, timings: dict) -> None:
    client = Client(base, Session(1, "viewer", "viewer"), Outcome())
    await client.connect()
    try:
        began = time.monotonic()
        await client.sign_in()
        timings["viewer: sign in (Overview)"] = time.monotonic() - began
        for page in VIEWER_PAGES[1:] + ["overview"]:
            began = time.monotonic()
            await client.open(page)
            timings[f"viewer: {page}"] = time.monotonic() - began
            if client.tree.exception:
                raise RuntimeError(f"{page}: {client.tree.exception[0].message[:300]}")
    finally:
        await client.close()


def run(slots: int, per_file: int, shape: str = "pile") -> tuple[dict, float]:
    from planner.storage import PlanStore

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = PlanStore(f"sqlite:///{folder}/planner.db")
        store.add_user("organiser", "organiser", PASSWORD, user="bench")
        store.add_user("viewer", "viewer", PASSWORD, user="bench")
        store.close()
        timings: dict[str, float] = {}
        with app_process(folder, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (process, base, _):
            asyncio.run(import_as_organiser(base, slots, per_file, timings, shape))
            asyncio.run(read_as_viewer(base, timings))
            return timings, peak_memory_mb(process.pid)


def main() -> None:
    from planner.sharing.access import ORGANISER_ROWS_PER_FILE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, nargs="+", default=[1500, 4000])
    parser.add_argument("--shape", choices=["pile", "groups"], default="pile")
    args = parser.parse_args()
    for slots in args.slots:
        timings, memory = run(slots, ORGANISER_ROWS_PER_FILE, args.shape)
        where = "at Hansaplatz, Sat 20:00–21:00" if args.shape == "pile" else "in groups of ten with four performers"
        print(f"\n{slots:,} slots {where} (peak server memory {memory:,.0f} MB)")
        print("| step | seconds |\n|---|---|")
        for step, seconds in timings.items():
            print(f"| {step} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
