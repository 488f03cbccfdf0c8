#!/usr/bin/env bash
# Regenerates every icon in this folder from graphdesk.svg (needs rsvg-convert, ImageMagick and png2icns:
# apt-get install librsvg2-bin imagemagick icnsutils). The outputs are committed so builds do not need these tools.
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 32 48 64 128 256 512 1024; do
  rsvg-convert -w "$size" -h "$size" graphdesk.svg -o "tmp-$size.png"
done
cp tmp-32.png 32x32.png
cp tmp-128.png 128x128.png
cp tmp-256.png 128x128@2x.png
cp tmp-256.png 256x256.png
cp tmp-512.png 512x512.png
cp tmp-512.png icon.png
# Tray: 64 px reads well on HiDPI panels and is scaled down elsewhere.
cp tmp-64.png tray.png
/usr/bin/convert tmp-16.png tmp-32.png tmp-48.png tmp-64.png tmp-128.png tmp-256.png icon.ico
png2icns icon.icns tmp-16.png tmp-32.png tmp-128.png tmp-256.png tmp-512.png tmp-1024.png >/dev/null
rm -f tmp-*.png
