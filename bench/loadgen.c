/* loadgen — contributors doing lease → submit cycles against a faircrowd
 * server, each on its own keep-alive connection (raw sockets, one thread per
 * contributor). Prints cycles/s and latency percentiles of whole cycles.
 *
 *   loadgen URL[,URL...] PROJECT_ID SECONDS TOKEN_FILE
 *
 * TOKEN_FILE holds one API token per line; one contributor per token. With
 * several URLs (servers sharing one database) contributor i talks to URL
 * i mod n, so the same load spreads evenly. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SERVERS 16
static char hosts[MAX_SERVERS][64];
static int ports[MAX_SERVERS], nservers;
static long project;
static double seconds;
static _Atomic int stop;
static _Atomic long cycles, errors, empty;

typedef struct worker {
	pthread_t th;
	char token[96];
	int server; /* index into hosts/ports */
	double *lat;
	size_t nlat, cap;
} worker;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int server)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ports[server])};
	inet_pton(AF_INET, hosts[server], &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Sends one request and reads one response; returns the status, body in buf. */
static int roundtrip(int fd, const char *req, size_t len, char *buf, size_t cap)
{
	if (write(fd, req, len) != (ssize_t)len)
		return -1;
	size_t have = 0;
	long clen = -1;
	char *body = NULL;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = 0;
		if (!body) {
			char *e = strstr(buf, "\r\n\r\n");
			if (!e)
				continue;
			body = e + 4;
			char *cl = strcasestr(buf, "Content-Length:");
			clen = cl && cl < body ? atol(cl + 15) : 0;
		}
		if ((long)(have - (size_t)(body - buf)) >= clen)
			break;
	}
	int status = atoi(buf + 9);
	memmove(buf, body, (size_t)clen + 1);
	return status;
}

static void *run(void *arg)
{
	worker *w = arg;
	int fd = dial(w->server);
	char req[2048], buf[65536];
	static const char result[] = "{\"result\":[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\","
				     "\"value\":{\"choices\":[\"pos\"]}}],\"active_seconds\":4}";
	while (!atomic_load(&stop) && fd >= 0) {
		double t0 = now();
		int n = snprintf(req, sizeof req,
				 "POST /api/v1/projects/%ld/assignments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
				 "Content-Length: 0\r\n\r\n",
				 project, w->token);
		int st = roundtrip(fd, req, (size_t)n, buf, sizeof buf);
		if (st == 204) {
			atomic_fetch_add(&empty, 1);
			break;
		}
		if (st != 201) {
			atomic_fetch_add(&errors, 1);
			if (st < 0) {
				close(fd);
				fd = dial(w->server);
			}
			continue;
		}
		char *id = strstr(buf, "\"id\":");
		long aid = id ? atol(id + 5) : 0;
		n = snprintf(req, sizeof req,
			     "POST /api/v1/assignments/%ld/submit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			     aid, w->token, sizeof result - 1, result);
		st = roundtrip(fd, req, (size_t)n, buf, sizeof buf);
		if (st != 201) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		atomic_fetch_add(&cycles, 1);
		if (w->nlat == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
		}
		w->lat[w->nlat++] = now() - t0;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	for (char *u = argc == 5 ? strtok(argv[1], ",") : NULL; u && nservers < MAX_SERVERS; u = strtok(NULL, ","))
		if (sscanf(u, "http://%63[^:]:%d", hosts[nservers], &ports[nservers]) == 2)
			nservers++;
	if (argc != 5 || !nservers) {
		fprintf(stderr, "usage: loadgen http://HOST:PORT[,http://HOST:PORT...] PROJECT_ID SECONDS TOKEN_FILE\n");
		return 2;
	}
	project = atol(argv[2]);
	seconds = atof(argv[3]);
	FILE *f = fopen(argv[4], "r");
	if (!f)
		return 1;
	worker *ws = calloc(1024, sizeof *ws);
	int n = 0;
	while (n < 1024 && fgets(ws[n].token, sizeof ws[n].token, f)) {
		ws[n].token[strcspn(ws[n].token, "\r\n")] = 0;
		ws[n].server = n % nservers;
		if (ws[n].token[0])
			n++;
	}
	fclose(f);
	double t0 = now();
	for (int i = 0; i < n; i++)
		pthread_create(&ws[i].th, NULL, run, &ws[i]);
	while (now() - t0 < seconds && atomic_load(&empty) < n)
		usleep(20000);
	atomic_store(&stop, 1);
	for (int i = 0; i < n; i++)
		pthread_join(ws[i].th, NULL);
	double el = now() - t0;
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += ws[i].nlat;
	double *all = malloc((total + 1) * sizeof *all);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof *all);
		k += ws[i].nlat;
	}
	qsort(all, total, sizeof *all, cmp);
	printf("servers=%d contributors=%d seconds=%.1f cycles=%ld errors=%ld cycles_per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n", nservers, n, el,
	       atomic_load(&cycles), atomic_load(&errors), atomic_load(&cycles) / el,
	       total ? all[total / 2] * 1e3 : 0, total ? all[(size_t)(total * 0.99)] * 1e3 : 0);
	return 0;
}
