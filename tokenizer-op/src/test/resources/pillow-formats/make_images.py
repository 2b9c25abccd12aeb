#!/usr/bin/python3
"""Writes the small test images of this folder and expected.tsv, Pillow's view of each.

Run from this folder: /usr/bin/python3 make_images.py PHOTO
(PHOTO: any photograph; the committed files used ../shared/datasets/photos/images/seeding_by_Clements_Engelhardt.jpg, CC0-1.0).
Tools: Debian bookworm's python3-pil (Pillow 9.4.0), imagemagick (6.9.11) and
libjpeg-turbo-progs (jpegtran 2.1.5). expected.tsv holds, for every file, what Pillow's
Image.open(f).convert("RGB") gives: size, the mode Pillow opened, and the CRC-32 and sum of
the R, G and B planes concatenated (planar, row-major).
"""
import glob
import os
import struct
import subprocess
import sys
import zlib

from PIL import Image

W, H = 45, 30  # odd sizes: partial JPEG blocks and MCUs, packed rows that do not end on a byte


def im(*args):
    subprocess.run(["convert", *args], check=True)


def gif_with_offset(src, dst, screen, offset):
    """Copies a one-frame GIF with a larger logical screen and the frame moved to offset."""
    b = bytearray(open(src, "rb").read())
    struct.pack_into("<HH", b, 6, *screen)
    at = 13 + (3 << ((b[10] & 7) + 1) if b[10] & 0x80 else 0)
    while b[at] == 0x21:  # skip extensions: introducer, label, then sub-blocks up to a 0
        at += 2
        while b[at]:
            at += b[at] + 1
        at += 1
    assert b[at] == 0x2C, "no image descriptor"
    struct.pack_into("<HH", b, at + 1, *offset)
    open(dst, "wb").write(bytes(b))


def main(photo):
    for f in glob.glob("*.*"):
        if not f.endswith((".py", ".md")):
            os.remove(f)
    src = Image.open(photo).convert("RGB").resize((W, H), Image.BICUBIC)
    alpha = Image.linear_gradient("L").resize((W, H))
    rgba = src.copy()
    rgba.putalpha(alpha)
    src.save("_src.png")
    rgba.save("_rgba.png")

    # JPEG
    src.save("jpeg_baseline_420.jpg", quality=90)
    src.save("jpeg_baseline_444.jpg", quality=90, subsampling=0)
    src.save("jpeg_progressive.jpg", quality=90, progressive=True)
    src.convert("L").save("jpeg_gray.jpg", quality=90)
    src.convert("CMYK").save("jpeg_cmyk_adobe.jpg", quality=92)
    icc = "/usr/share/color/icc/ghostscript/"
    src.convert("CMYK").save("jpeg_cmyk_icc.jpg", quality=92,
                             icc_profile=open(icc + "ps_cmyk.icc", "rb").read())
    a98 = open(icc + "a98.icc", "rb").read()  # Adobe RGB (1998): converting would change pixels
    src.save("jpeg_adobergb_icc.jpg", quality=90, icc_profile=a98)
    # Pillow's RGB to CMYK leaves K at 0; ImageMagick's uses black ink too
    im("_src.png", "-colorspace", "CMYK", "_cmyk_black.tif")
    Image.open("_cmyk_black.tif").save("jpeg_cmyk_black_adobe.jpg", quality=92)
    im("_src.png", "-colorspace", "CMYK", "-define", "jpeg:colorspace=5", "-quality", "92",
       "jpeg_ycck_adobe.jpg")
    with open("jpeg_arithmetic.jpg", "wb") as out:
        subprocess.run(["jpegtran", "-arithmetic", "jpeg_baseline_420.jpg"], stdout=out, check=True)
    with open("jpeg_restart.jpg", "wb") as out:
        subprocess.run(["jpegtran", "-restart", "1", "jpeg_baseline_420.jpg"], stdout=out, check=True)

    # PNG: every colour type and bit depth, interlaced, alpha, palettes with tRNS
    src.save("png_rgb8.png")
    src.save("png_adobergb_icc.png", icc_profile=a98)
    rgba.save("png_rgba8.png")
    src.convert("L").save("png_gray8.png")
    src.convert("1").save("png_gray1.png")
    src.convert("LA").save("png_graya8.png")
    src.convert("L").save("png_gray8_trns.png", transparency=100)
    src.save("png_rgb8_trns.png", transparency=(100, 110, 140))
    for colours, name in ((2, "png_palette1.png"), (4, "png_palette2.png"),
                          (16, "png_palette4.png"), (200, "png_palette8.png")):
        src.convert("P", palette=Image.ADAPTIVE, colors=colours).save(name)
    src.convert("P", palette=Image.ADAPTIVE, colors=64).save("png_palette8_trns.png",
                                                              transparency=3)
    gray16 = Image.new("I", (W, H))
    gray16.putdata([(v * 257 * 7) % 65536 for v in src.convert("L").getdata()])
    gray16.save("png_gray16.png")
    gray16.save("png_gray16_trns.png", transparency=300)
    for depth in (2, 4):
        im("_src.png", "-colorspace", "Gray", "-depth", str(depth), "-define",
           f"png:bit-depth={depth}", "-define", "png:color-type=0", f"png_gray{depth}.png")
    im("_src.png", "-depth", "16", "-define", "png:bit-depth=16", "-define", "png:color-type=2",
       "png_rgb16.png")
    im("_rgba.png", "-depth", "16", "-define", "png:bit-depth=16", "-define",
       "png:color-type=6", "png_rgba16.png")
    im("_rgba.png", "-colorspace", "Gray", "-depth", "16", "-define", "png:bit-depth=16",
       "-define", "png:color-type=4", "png_graya16.png")
    im("_src.png", "-interlace", "PNG", "png_rgb8_interlaced.png")
    im("_rgba.png", "-interlace", "PNG", "-define", "png:color-type=6",
       "png_rgba8_interlaced.png")
    im("_src.png", "-colorspace", "Gray", "-depth", "16", "-interlace", "PNG", "-define",
       "png:bit-depth=16", "-define", "png:color-type=0", "png_gray16_interlaced.png")

    # GIF: first frame; a frame smaller than its screen, at an offset, with a transparent index
    src.convert("P", palette=Image.ADAPTIVE, colors=64).save("gif_palette.gif")
    frames = [src.convert("P", palette=Image.ADAPTIVE, colors=32),
              src.transpose(Image.FLIP_LEFT_RIGHT).convert("P", palette=Image.ADAPTIVE, colors=32)]
    frames[0].save("gif_animated.gif", save_all=True, append_images=frames[1:], duration=100)
    src.convert("P", palette=Image.ADAPTIVE, colors=16).save("_small.gif", transparency=5)
    gif_with_offset("_small.gif", "gif_offset_transparent.gif", (W + 8, H + 6), (5, 3))

    # BMP
    src.save("bmp_rgb24.bmp")
    src.convert("P", palette=Image.ADAPTIVE, colors=200).save("bmp_palette8.bmp")
    src.convert("1").save("bmp_mono1.bmp")
    im("_src.png", "-define", "bmp:subtype=RGB565", "bmp_rgb565.bmp")
    im("_rgba.png", "-define", "bmp:format=bmp4", "bmp_rgba32.bmp")
    im("_src.png", "-colors", "16", "-compress", "RLE", "BMP3:bmp_rle4.bmp")
    im("_src.png", "-colors", "200", "-compress", "RLE", "BMP3:bmp_rle8.bmp")

    # TIFF
    src.save("tiff_rgb.tif")
    src.save("tiff_adobergb_icc.tif", icc_profile=a98)
    src.save("tiff_lzw.tif", compression="tiff_lzw")
    rgba.save("tiff_rgba_deflate.tif", compression="tiff_deflate")
    src.save("tiff_jpeg.tif", compression="jpeg")
    src.convert("CMYK").save("tiff_cmyk.tif")
    Image.open("_cmyk_black.tif").save("tiff_cmyk_black.tif")
    src.convert("L").save("tiff_gray_packbits.tif", compression="packbits")
    src.convert("P", palette=Image.ADAPTIVE, colors=32).save("tiff_palette.tif")
    src.save("tiff_multipage.tif", save_all=True,
             append_images=[src.transpose(Image.FLIP_TOP_BOTTOM)])
    im("_src.png", "-depth", "16", "tiff_rgb16.tif")
    im("_src.png", "-define", "tiff:tile-geometry=16x16", "tiff_tiled.tif")
    im("_src.png", "-interlace", "plane", "tiff_planar.tif")

    # WebP
    src.save("webp_lossless.webp", lossless=True)
    src.save("webp_lossless_adobergb_icc.webp", lossless=True, icc_profile=a98)
    rgba.save("webp_lossless_alpha.webp", lossless=True)
    src.save("webp_lossy.webp", quality=80)
    rgba.save("webp_lossy_alpha.webp", quality=80)
    # Lossy decoders differ in rounding and chroma upsampling, so lossy WebP is compared pixel by
    # pixel, within a tolerance, with Pillow's decoding of it, stored as a PNG; a larger view of
    # the photo as well, where a decoder's drift shows.
    Image.open(photo).convert("RGB").resize((320, 200), Image.BICUBIC).save(
        "webp_lossy_photo.webp", quality=80)
    for f in ("webp_lossy", "webp_lossy_alpha", "webp_lossy_photo"):
        Image.open(f + ".webp").convert("RGB").save("png_pillow_decoded_" + f + ".png")

    for f in glob.glob("_*"):
        os.remove(f)
    with open("expected.tsv", "w") as out:
        out.write("file\twidth\theight\tpillow_mode\tcrc32_rgb_planes\tsum_rgb\n")
        for f in sorted(glob.glob("*.*")):
            if f.endswith((".py", ".md", ".tsv")):
                continue
            opened = Image.open(f)
            mode = opened.mode
            rgb = opened.convert("RGB")
            planes = b"".join(band.tobytes() for band in rgb.split())
            out.write(f"{f}\t{rgb.width}\t{rgb.height}\t{mode}\t{zlib.crc32(planes)}\t"
                      f"{sum(planes)}\n")


if __name__ == "__main__":
    main(sys.argv[1])
