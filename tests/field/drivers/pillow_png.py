"""Field driver: Pillow draws an image, saves it as PNG and GIF in memory, reads both back."""

import io

from PIL import Image, ImageDraw, ImageFilter

image = Image.new("RGB", (32, 16), (255, 255, 255))
ImageDraw.Draw(image).rectangle((4, 4, 20, 12), fill=(200, 30, 30))
image = image.filter(ImageFilter.BoxBlur(1))
for kind in ("PNG", "GIF"):
    buffer = io.BytesIO()
    image.save(buffer, kind)
    again = Image.open(io.BytesIO(buffer.getvalue()))
    print(kind, again.format, again.size, again.mode, again.convert("RGB").getpixel((10, 8)))
