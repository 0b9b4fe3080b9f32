/* qr: QR codes as SVG (qr.h).  libqrencode draws the modules; this file
 * writes them as one path of horizontal runs, so that a slip's code is a
 * few kilobytes of markup a page can print without any script. */
#include "qr.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>

#define QUIET 4
/* A receipt's address with its code is about 80 bytes: version 5 or 6.  A
 * cap keeps the document bounded whatever the text. */
#define QR_SVG_MAX (256 * 1024)

char *
qr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct buf b;
	int x, y, n, run;

	buf_init(&b, QR_SVG_MAX);
	if (qr == NULL)
		return NULL;
	n = qr->width + 2 * QUIET;
	if (buf_printf(&b,
		       "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		       "shape-rendering=\"crispEdges\"><path fill=\"#fff\" d=\"M0 0h%dv%dH0z\"/>"
		       "<path fill=\"#000\" d=\"",
		       n, n, n, n) != 0)
		goto fail;
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x += run) {
			run = 0;
			while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			if (buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run) != 0)
				goto fail;
		}
	}
	if (buf_printf(&b, "\"/></svg>") != 0)
		goto fail;
	QRcode_free(qr);
	return buf_steal(&b);
fail:
	QRcode_free(qr);
	buf_free(&b);
	return NULL;
}
