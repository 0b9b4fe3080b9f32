/* qr: a QR code as SVG, by Debian's libqrencode (the only file that
 * includes qrencode.h): the receipt code's slip carries one (journal.c). */
#ifndef REFGW_QR_H
#define REFGW_QR_H

#include "util.h"

/* text as a QR code (error correction M, 8-bit mode, the smallest version
 * that holds it, a quiet zone of 4 modules): a malloc'd SVG document of
 * two paths and nothing else, or NULL. */
char *qr_svg(const char *text) MUSTCHECK;

#endif
