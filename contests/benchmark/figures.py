"""The figures `bench_round` prints, shared by its one-process run (the command) and its runs on
PostgreSQL and Redis (contests.benchmark.scaled): the same keys either way."""

from config.bench import ratio


def stored_counts(rows: list[str], load: dict) -> dict:
    """The stored client ids (one per row) against the load's: lost = sent − rejected − stored,
    acked_not_stored = acknowledged − stored, duplicated = rows beyond one per client id."""
    stored = {r.replace("-", "") for r in rows}
    norm = lambda ids: {i.replace("-", "") for i in ids}  # noqa: E731
    return {
        "lost": len(norm(load["sent_ids"]) - norm(load["rejected_ids"]) - stored),
        "acked_not_stored": len(norm(load["acked_ids"]) - stored),
        "duplicated": len(rows) - len(stored),
    }


KEYS = ("answers_per_s", "served_per_s", "ack_p50_ms", "ack_p99_ms", "staleness_p50_ms", "staleness_p99_ms")
KEYS += ("server_cpu_cores", "storm_paper_p50_ms", "storm_paper_p99_ms", "storm_paper_max_ms", "storm_refused")
KEYS += ("storm_s", "storm_server_cpu_cores", "load_cpu_cores", "server_cpu_per_answer_ms")
KEYS += ("server_cpu_ms_per_connect",)


def summary(*, n, m, rate, duration, storm, daphne: dict, peak, bare: dict | None, bare_peak) -> dict:
    """The command's figures from the load's (with the stored answers' counts merged in) and the bare
    server's; `bare` None (bench_round --fault) leaves the comparison out."""
    keys = KEYS
    figures = {
        "contestants": n,
        "viewers": m,
        "duration_s": duration,
        "target_answers_per_s": rate,
        "storm_window_s": storm,
        **{k: daphne[k] for k in keys},
        "storm_first_refusal": daphne["storm_first_refusal"],
        "queries_per_connect": daphne.get("queries_per_connect"),
        "lost": daphne["lost"],
        "acked_not_stored": daphne["acked_not_stored"],
        "unacked": daphne["unacked"],
        "duplicated": daphne["duplicated"],
        "peak_rss_mb": peak,
        "sent": daphne["sent"],
        "acked": daphne["acked"],
        "rejected": daphne["rejected"],
        "rejected_codes": daphne["rejected_codes"],
        "connected": daphne["connected"],
        "viewers_connect_s": daphne["viewers_connect_s"],
        "board_frames": daphne["board_frames"],
        "staleness_samples": daphne["staleness_samples"],
        "socket_failures": daphne["socket_failures"],
    }
    if bare is None:
        return figures
    return figures | {
        "bare": {
            **{k: bare[k] for k in keys},
            "lost": bare["lost"],
            "unacked": bare["unacked"],
            "connected": bare["connected"],
            "peak_rss_mb": bare_peak,
            "board_frames": bare["board_frames"],
            "staleness_samples": bare["staleness_samples"],
        },
        "ratio_ack_p99": ratio(daphne["ack_p99_ms"], bare["ack_p99_ms"]),
        "ratio_staleness_p99": ratio(daphne["staleness_p99_ms"], bare["staleness_p99_ms"]),
        "ratio_storm_paper_p99": ratio(daphne["storm_paper_p99_ms"], bare["storm_paper_p99_ms"]),
        "ratio_server_cpu": ratio(daphne["server_cpu_cores"], bare["server_cpu_cores"]),
        "ratio_cpu_per_connect": ratio(daphne["server_cpu_ms_per_connect"], bare["server_cpu_ms_per_connect"]),
    }


def bare_daphne_figures(daphne: dict, on_daphne: dict, peak) -> dict:
    """`bench_round --bare-daphne`: the bare handling served by Daphne, and the real server against it."""
    return {
        "bare_daphne": {
            **{k: on_daphne[k] for k in KEYS},
            "lost": on_daphne["lost"],
            "unacked": on_daphne["unacked"],
            "connected": on_daphne["connected"],
            "peak_rss_mb": peak,
            "board_frames": on_daphne["board_frames"],
        },
        "ratio_bare_daphne_ack_p99": ratio(daphne["ack_p99_ms"], on_daphne["ack_p99_ms"]),
        "ratio_bare_daphne_storm_paper_p99": ratio(daphne["storm_paper_p99_ms"], on_daphne["storm_paper_p99_ms"]),
        "ratio_bare_daphne_cpu_per_connect": ratio(
            daphne["server_cpu_ms_per_connect"], on_daphne["server_cpu_ms_per_connect"]
        ),
    }
