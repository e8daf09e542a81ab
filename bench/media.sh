#!/usr/bin/env bash
# Media pipeline throughput: Personae (libvips) against ImageMagick doing the same work (see
# bench/README.md, "Media processing").
#   bench/media.sh [SECONDS]     default 20 s per pipeline
# Needs the release build of personae_media_bench:
#   cmake -S . -B build/h-media-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERSONAE_BUILD_TESTS=ON
#   cmake --build build/h-media-release --target personae_media_bench
# (or set MEDIA_BENCH to the binary), plus convert-im6.q16, exiftool and /usr/bin/time.
# MEDIA_BENCH_KEEP=DIR keeps both pipelines' last outputs there, to compare them by eye.
#
# Both pipelines take a 2048x3072 JPEG (quality 90, camera EXIF and GPS) and write, one image at a
# time: instagram_portrait 1080x1350 cover, instagram_story 1080x1920 cover, x_landscape 1600x900
# cover, reddit 1200x1600 contain (all JPEG quality 85), and a thumbnail of 320 px on the longer
# side (quality 80); the four variants get the text watermark "@luna.vale" bottom right at 60 %
# opacity; every output is stripped of EXIF/GPS and carries the XMP provenance (DigitalSourceType
# trainedAlgorithmicMedia, creator, creator tool, credit). Personae picks cover crops by libvips'
# attention measure; ImageMagick crops at the centre (it has no equivalent), which favours it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
bench=${MEDIA_BENCH:-build/h-media-release/src/adapters/media/personae_media_bench}
[ -x "$bench" ] || { echo "media.sh: build $bench first (see the header of this script)" >&2; exit 1; }
for tool in convert-im6.q16 exiftool /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "media.sh: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
photo=$work/photo.jpg
"$bench" generate "$photo"
exiftool -q -overwrite_original -Make=Canon "-Model=Canon EOS R5" "-DateTimeOriginal=2024:05:06 07:08:09" \
  -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E "$photo"

# The same provenance for ImageMagick, as an XMP packet it embeds with -profile.
cat >"$work/provenance.xmp" <<'EOF'
<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    xmp:CreatorTool="ComfyUI sdxl-base-1.0"
    photoshop:Credit="AI-generated image">
   <dc:creator><rdf:Seq><rdf:li>Luna Vale</rdf:li></rdf:Seq></dc:creator>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
EOF

# The watermark for an output `width` wide: text about 4 % of the width tall, white at 60 % with a
# dark outline, inset by half its size (what WatermarkRenderer does).
watermark() {
  local width=$1 size pointsize margin
  size=$((width * 4 / 100)); pointsize=$((size * 4 / 3)); margin=$((size / 2))
  echo "-gravity southeast -font DejaVu-Sans-Bold -pointsize $pointsize -fill rgba(255,255,255,0.6)" \
    "-stroke rgba(0,0,0,0.6) -strokewidth 2 -annotate +$margin+$margin @luna.vale"
}
variant() {  # geometry, crop (or ""), watermark width, name
  local crop=""
  [ -n "$2" ] && crop="-gravity center -extent $2"
  echo "( +clone -resize $1 $crop $(watermark "$3") -profile $work/provenance.xmp -quality 85" \
    "-write $work/im/$4.jpg +delete )"
}
mkdir -p "$work/im" "$work/personae"
# One process per image, decoding once (jpeg:size lets libjpeg shrink when the outputs allow it).
read -r -d '' -a imagemagick <<<"convert-im6.q16 -define jpeg:size=1600x2400 $photo -auto-orient -strip
  $(variant '1080x1350^' 1080x1350 1080 instagram_portrait)
  $(variant '1080x1920^' 1080x1920 1080 instagram_story)
  $(variant '1600x900^' 1600x900 1600 x_landscape)
  $(variant '1200x1600' '' 1067 reddit)
  -resize 320x320 -profile $work/provenance.xmp -quality 80 $work/im/thumbnail.jpg" || true

now_ns() { date +%s%N; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "libvips $(pkg-config --modversion vips 2>/dev/null || echo '?'), $(convert-im6.q16 -version | head -1 | cut -d' ' -f2-4)"

# Warm-up: page cache, fonts, ImageMagick's configuration files.
"$bench" run "$photo" 2 >/dev/null
"${imagemagick[@]}"

personae=$("$bench" run "$photo" "$seconds" "$work/personae")
p_rate=$(sed -E 's/.*images_per_second=([0-9.]+).*/\1/' <<<"$personae")
p_rss=$(sed -E 's/.*peak_rss_kib=([0-9]+).*/\1/' <<<"$personae")

im_images=0 im_rss=0
start=$(now_ns)
deadline=$((start + seconds * 1000000000))
while [ "$(now_ns)" -lt "$deadline" ]; do
  /usr/bin/time -f '%M' -o "$work/rss" "${imagemagick[@]}"
  rss=$(tail -1 "$work/rss"); [ "$rss" -gt "$im_rss" ] && im_rss=$rss
  im_images=$((im_images + 1))
done
im_rate=$(awk -v n="$im_images" -v ns="$(($(now_ns) - start))" 'BEGIN {printf "%.2f", n / (ns / 1e9)}')

# Both produced what they claim: the sizes, the provenance, and no GPS or camera tags left.
for dir in personae im; do
  for file in "$work/$dir"/*.jpg; do
    tags=$(exiftool -s -G1 -ImageSize -XMP-iptcExt:DigitalSourceType -GPS:all -IFD0:Make "$file")
    grep -q trainedAlgorithmicMedia <<<"$tags" || { echo "media.sh: $dir/${file##*/} lacks the provenance" >&2; exit 1; }
    if grep -qE '^\[(GPS|IFD0)\]' <<<"$tags"; then echo "media.sh: $dir/${file##*/} kept: $tags" >&2; exit 1; fi
    printf '  %-9s %-24s %s\n' "$dir" "${file##*/}" "$(awk '/ImageSize/ {print $NF}' <<<"$tags")"
  done
done
if [ -n "${MEDIA_BENCH_KEEP:-}" ]; then
  mkdir -p "$MEDIA_BENCH_KEEP" && cp -r "$work/personae" "$work/im" "$MEDIA_BENCH_KEEP"/
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| pipeline | images/s | peak RSS |"
echo "|---|---|---|"
printf '| Personae (libvips %s) | %s | %d MiB |\n' "$(pkg-config --modversion vips 2>/dev/null || echo '')" "$p_rate" $((p_rss / 1024))
printf '| ImageMagick %s | %s | %d MiB |\n' "$(convert-im6.q16 -version | head -1 | cut -d' ' -f3)" "$im_rate" $((im_rss / 1024))
awk -v p="$p_rate" -v i="$im_rate" -v pr="$p_rss" -v ir="$im_rss" \
  'BEGIN {printf "| ratio | %.1fx | %.2fx |\n", p / i, pr / ir}'
