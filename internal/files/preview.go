package files

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
)

// PreviewMax is the longest side of a preview, in pixels.
const PreviewMax = 1280

// ErrNoPreview is returned for content that is not an image.
var ErrNoPreview = errors.New("files: no preview for this kind of file")

// Preview decodes an image (already checked at upload: a JPEG or PNG within the pixel limit) and
// encodes it anew, at most PreviewMax pixels on its longest side. Only pixels survive: no EXIF, GPS,
// ICC profile, comment or anything appended to the file — so the preview is safe to show inline. It
// is a PNG for a PNG and a JPEG for a JPEG.
func Preview(r io.Reader, contentType string) (data []byte, outType string, err error) {
	var img image.Image
	switch contentType {
	case "image/jpeg":
		img, err = jpeg.Decode(r)
	case "image/png":
		img, err = png.Decode(r)
	default:
		return nil, "", ErrNoPreview
	}
	if err != nil {
		return nil, "", err
	}
	img = shrink(img, PreviewMax)
	var b bytes.Buffer
	if contentType == "image/png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	}
	return b.Bytes(), contentType, err
}

// shrink scales img down so that its longer side is at most limit, averaging the source pixels that
// fall into each target pixel (a box filter: sharp enough for screenshots and scans).
func shrink(img image.Image, limit int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= limit && h <= limit {
		return img
	}
	nw, nh := limit, h*limit/w
	if h > w {
		nw, nh = w*limit/h, limit
	}
	nw, nh = max(nw, 1), max(nh, 1)
	out := image.NewNRGBA(image.Rect(0, 0, nw, nh))
	for y := range nh {
		y0, y1 := b.Min.Y+y*h/nh, b.Min.Y+(y+1)*h/nh
		for x := range nw {
			x0, x1 := b.Min.X+x*w/nw, b.Min.X+(x+1)*w/nw
			var r, g, bl, a, n uint64
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					cr, cg, cb, ca := img.At(sx, sy).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			out.Set(x, y, color.RGBA64{uint16(r / n), uint16(g / n), uint16(bl / n), uint16(a / n)})
		}
	}
	return out
}
