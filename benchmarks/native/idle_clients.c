/*
 * Opens N idle TCP connections to host:port and holds them, for "memory per idle connection".
 *
 * Usage: idle_clients [-n count (default 10000)] [-h host (default 127.0.0.1)] -p port
 *
 * Connects in batches of up to 256 non-blocking connects in flight (epoll waits for their completion), so a server
 * that accepts slowly is not flooded beyond its backlog. Prints "established N" once every connection is
 * established on the client side (the server may still be accepting the last ones: the caller checks its side),
 * then sends nothing and waits until stdin reaches EOF or SIGTERM/SIGINT arrives; then closes every connection,
 * prints "closed N" and exits 0. Exits 1 if a connection fails or the server closes one while they are held.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "idle_clients"
#define CONNECTS_IN_FLIGHT 256

static void die(const char *what, int err)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(err));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	long count = 10000, port = 0;
	int opt;
	while ((opt = getopt(argc, argv, "n:h:p:")) != -1) {
		switch (opt) {
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'h': host = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: " PROG " [-n count] [-h host] -p port\n");
			return 2;
		}
	}
	if (count < 1 || count > 1000000 || port < 1 || port > 65535) {
		fprintf(stderr, PROG ": need -p port (1-65535) and -n count (1-1000000)\n");
		return 2;
	}
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, PROG ": invalid IPv4 address '%s'\n", host);
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)count + 16) {
			fprintf(stderr, PROG ": the open-file limit (%lu) is below %ld connections\n",
				(unsigned long)rl.rlim_cur, count);
			return 1;
		}
	}

	int *fds = calloc((size_t)count, sizeof(int));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (fds == NULL || ep < 0)
		die("setup", errno ? errno : ENOMEM);

	long started = 0, established = 0, in_flight = 0;
	struct epoll_event events[CONNECTS_IN_FLIGHT];
	while (established < count) {
		while (in_flight < CONNECTS_IN_FLIGHT && started < count) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0)
				die("socket", errno);
			fds[started] = fd;
			if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
				established++;
			} else if (errno == EINPROGRESS) {
				struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)started };
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
					die("epoll_ctl", errno);
				in_flight++;
			} else {
				die("connect", errno);
			}
			started++;
		}
		if (in_flight == 0)
			continue;
		int n = epoll_wait(ep, events, CONNECTS_IN_FLIGHT, 30000);
		if (n < 0 && errno != EINTR)
			die("epoll_wait", errno);
		if (n == 0)
			die("connect", ETIMEDOUT);
		for (int i = 0; i < n; i++) {
			int fd = fds[events[i].data.u64];
			int err = 0;
			socklen_t len = sizeof(err);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err != 0)
				die("connect", err);
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			in_flight--;
			established++;
		}
	}
	printf("established %ld\n", count);
	fflush(stdout);

	/* Hold: wake on stdin EOF, on SIGTERM/SIGINT, or if the server closes a connection. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd", errno);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) != 0)
		die("epoll_ctl", errno);
	ev.data.u64 = UINT64_MAX - 1;
	/* Fails for a regular file or /dev/null as stdin: then only the signals end the hold. */
	(void)epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
	for (long i = 0; i < count; i++) {
		struct epoll_event cev = { .events = EPOLLRDHUP, .data.u64 = (uint64_t)i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &cev) != 0)
			die("epoll_ctl", errno);
	}
	int server_closed = 0;
	for (int done = 0; !done;) {
		int n = epoll_wait(ep, events, CONNECTS_IN_FLIGHT, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait", errno);
		for (int i = 0; i < n; i++) {
			uint64_t id = events[i].data.u64;
			if (id == UINT64_MAX) {
				done = 1;
			} else if (id == UINT64_MAX - 1) {
				char buf[256];
				if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
					done = 1;
			} else {
				server_closed = 1;
				done = 1;
			}
		}
	}
	for (long i = 0; i < count; i++)
		close(fds[i]);
	if (server_closed) {
		fprintf(stderr, PROG ": the server closed a connection while it was held\n");
		return 1;
	}
	printf("closed %ld\n", count);
	return 0;
}
