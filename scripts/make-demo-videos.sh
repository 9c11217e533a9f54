#!/usr/bin/env bash
# Regenerate the demo lesson videos in courses/demo/videos/ from ffmpeg's built-in test sources.
#
#   scripts/make-demo-videos.sh          (needs ffmpeg: Debian package ffmpeg, see scripts/system-deps.sh)
#
# Three small WebM files (VP9 video, 426x240 at 12 frames a second; Opus mono audio): a test pattern
# with a running clock and a caption, over a sine tone. Nothing is downloaded. After regenerating,
# update the durations in courses/demo/data.py (DEMO_VIDEOS) with what the script prints, since the
# demo seed uses them when ffprobe is not installed.
set -euo pipefail

cd "$(dirname "$0")/.."
out=courses/demo/videos
mkdir -p "$out"

font=""
for candidate in /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf /usr/share/fonts/TTF/DejaVuSans-Bold.ttf; do
    if [[ -f $candidate ]]; then font="fontfile=$candidate:"; break; fi
done

# name  seconds  source                     tone (Hz)  caption
videos=(
    "lesson-1 30 testsrc2=size=426x240:rate=12   440 Lesson 1"
    "lesson-2 45 smptebars=size=426x240:rate=12  523 Lesson 2"
    "lesson-3 60 testsrc=size=426x240:rate=12    659 Lesson 3"
)

for spec in "${videos[@]}"; do
    read -r name seconds source tone caption <<<"$spec"
    text="drawtext=${font}text='${caption}':fontsize=28:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=(w-text_w)/2:y=h-text_h-24"
    clock="drawtext=${font}text='%{pts\\:hms}':fontsize=20:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=12:y=12"
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "$source" \
        -f lavfi -i "sine=frequency=${tone}:sample_rate=48000" \
        -t "$seconds" \
        -vf "${text},${clock}" \
        -c:v libvpx-vp9 -b:v 32k -minrate 16k -maxrate 48k -g 60 -deadline good -cpu-used 4 -row-mt 0 -threads 1 \
        -c:a libopus -b:a 12k -ac 1 \
        -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
        "$out/$name.webm"
    if command -v ffprobe >/dev/null 2>&1; then
        duration=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$out/$name.webm")
    else
        duration="?"
    fi
    printf '%s.webm  %s s  %s bytes\n' "$name" "$duration" "$(stat -c %s "$out/$name.webm")"
done
