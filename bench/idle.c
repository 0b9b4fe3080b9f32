/* Opens N mutual-TLS connections, sends one request on each, and holds them
 * open for S seconds: the memory of idle kept-alive connections (path
 * /v1/me: each reads its answer, then idles) and of parked long-polls (path
 * /v1/events?wait=..: the answer comes later).  Prints how many are open.
 *   idle --port P --cert C --key K --cacert CA -n 1000 -s 10 [--path P] [--no-read] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *ca = NULL, *path = "/v1/me";
	int port = 0, n = 100, secs = 10, i, open_ok = 0, read_answer = 1;
	SSL_CTX *ctx;
	SSL **ssl;
	char req[512];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-read") == 0)
			read_answer = 0;
		else if (i + 1 < argc && strcmp(argv[i], "--port") == 0)
			port = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--cert") == 0)
			cert = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--key") == 0)
			key = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--cacert") == 0)
			ca = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--path") == 0)
			path = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "-n") == 0)
			n = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "-s") == 0)
			secs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: idle --port P --cert C --key K --cacert CA -n N -s S [--path P] [--no-read]\n");
			return 2;
		}
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		fprintf(stderr, "idle: cannot load the certificates\n");
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	ssl = calloc((size_t)n, sizeof(*ssl));
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
	for (i = 0; i < n; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		char buf[4096];
		if (fd >= 0)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		ssl[i] = SSL_new(ctx);
		SSL_set_fd(ssl[i], fd);
		if (SSL_connect(ssl[i]) != 1 || SSL_write(ssl[i], req, (int)strlen(req)) <= 0 ||
		    (read_answer && SSL_read(ssl[i], buf, sizeof(buf)) <= 0)) {
			SSL_free(ssl[i]);
			ssl[i] = NULL;
			close(fd);
			continue;
		}
		open_ok++;
	}
	printf("idle: %d of %d connections open (%s)\n", open_ok, n, path);
	fflush(stdout);
	sleep((unsigned)secs);
	for (i = 0; i < n; i++)
		if (ssl[i]) {
			close(SSL_get_fd(ssl[i]));
			SSL_free(ssl[i]);
		}
	free(ssl);
	SSL_CTX_free(ctx);
	return 0;
}
