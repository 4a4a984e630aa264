/*
 * The C reference for samboot's CPG benchmark: the same two measurements as the Java client
 * (dev.samboot.benchmarks.CpgClient), on libcpg directly, printing one line per figure as
 * "NAME VALUE UNIT".
 *
 *   cpgbench GROUP SECONDS ROUND_TRIPS
 *
 * For 64 B, 1 KiB and 64 KiB messages:
 *   throughput: one sender multicasts in agreed order for SECONDS (after 0.5 s of warm-up),
 *     retrying at once while corosync answers CS_ERR_TRY_AGAIN (the retries are counted);
 *     a second thread dispatches (poll, then CS_DISPATCH_ALL) and counts the sender's own
 *     messages delivered; the rate is the messages sent over the time from
 *     the first send to the delivery of the last one.
 *   round trip: send one message and dispatch (CS_DISPATCH_ONE) on the same thread until it
 *     is delivered back, ROUND_TRIPS times (after ROUND_TRIPS / 5 not counted); median and
 *     p99 (nearest rank), and the median time of the cpg_mcast_joined call itself.
 *
 * Build: gcc -O2 -Wall -o cpgbench cpgbench.c -lcpg -lpthread (needs libcpg-dev).
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>

#define WARM_UP_SECONDS 0.5
#define DRAIN_SECONDS 60

static const size_t SIZES[] = { 64, 1024, 65536 };
static const char *LABELS[] = { "64b", "1kib", "64kib" };

static uint32_t self_pid;

/* written by the dispatching thread only */
static volatile uint64_t delivered;
static volatile uint64_t last_delivery_ns;
static volatile uint64_t last_sequence;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void deliver_fn(cpg_handle_t handle, const struct cpg_name *group_name, uint32_t nodeid, uint32_t pid,
		void *msg, size_t msg_len)
{
	uint64_t sequence;

	(void)handle;
	(void)group_name;
	(void)nodeid;
	if (pid != self_pid) {
		return;
	}
	if (msg_len >= sizeof(sequence)) {
		memcpy(&sequence, msg, sizeof(sequence));
		__atomic_store_n(&last_sequence, sequence, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&last_delivery_ns, now_ns(), __ATOMIC_RELEASE);
	__atomic_store_n(&delivered, delivered + 1, __ATOMIC_RELEASE);
}

static void confchg_fn(cpg_handle_t handle, const struct cpg_name *group_name,
		const struct cpg_address *member_list, size_t member_list_entries,
		const struct cpg_address *left_list, size_t left_list_entries,
		const struct cpg_address *joined_list, size_t joined_list_entries)
{
	(void)handle;
	(void)group_name;
	(void)member_list;
	(void)member_list_entries;
	(void)left_list;
	(void)left_list_entries;
	(void)joined_list;
	(void)joined_list_entries;
}

static cpg_callbacks_t callbacks = {
	.cpg_deliver_fn = deliver_fn,
	.cpg_confchg_fn = confchg_fn,
};

static void fail(const char *what, cs_error_t error)
{
	fprintf(stderr, "cpgbench: %s failed: %d\n", what, (int)error);
	exit(1);
}

static cpg_handle_t join(const char *group, const char *suffix)
{
	cpg_handle_t handle;
	struct cpg_name name;
	cs_error_t error;
	int length;

	error = cpg_initialize(&handle, &callbacks);
	if (error != CS_OK) {
		fail("cpg_initialize", error);
	}
	/* the name with its NUL, as the Java binding sends it */
	length = snprintf(name.value, sizeof(name.value), "%s%s", group, suffix);
	if (length < 0 || (size_t)length >= sizeof(name.value)) {
		fprintf(stderr, "cpgbench: group name too long\n");
		exit(2);
	}
	name.length = (uint32_t)length + 1;
	error = cpg_join(handle, &name);
	if (error != CS_OK) {
		fail("cpg_join", error);
	}
	return handle;
}

static volatile int stop_dispatching;

/*
 * Wait with poll and dispatch what is pending, until told to stop: libcpg's own
 * CS_DISPATCH_BLOCKING cannot be ended before cpg_finalize, which cannot finish while it
 * runs. The Java binding's BLOCKING dispatch is this loop too.
 */
static void *dispatch_thread(void *arg)
{
	cpg_handle_t handle = *(cpg_handle_t *)arg;
	struct pollfd pfd = { .events = POLLIN };
	cs_error_t error;

	if (cpg_fd_get(handle, &pfd.fd) != CS_OK) {
		fprintf(stderr, "cpgbench: cpg_fd_get failed\n");
		exit(1);
	}
	while (!__atomic_load_n(&stop_dispatching, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, 100) > 0) {
			error = cpg_dispatch(handle, CS_DISPATCH_ALL);
			if (error != CS_OK) {
				fail("cpg_dispatch", error);
			}
		}
	}
	return NULL;
}

struct burst {
	uint64_t sent;
	uint64_t retries;
	double seconds;
};

/* send for a while, then wait until every message sent has been delivered back */
static struct burst send_for(cpg_handle_t handle, char *payload, size_t size, double seconds)
{
	struct burst burst = { 0, 0, 0 };
	struct iovec iov = { .iov_base = payload, .iov_len = size };
	uint64_t start, end, drain;
	cs_error_t error;

	__atomic_store_n(&delivered, 0, __ATOMIC_RELEASE);
	start = now_ns();
	end = start + (uint64_t)(seconds * 1e9);
	while (now_ns() < end) {
		error = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1);
		if (error == CS_OK) {
			burst.sent++;
		}
		else if (error == CS_ERR_TRY_AGAIN) {
			burst.retries++;
		}
		else {
			fail("cpg_mcast_joined", error);
		}
	}
	drain = now_ns() + (uint64_t)DRAIN_SECONDS * 1000000000u;
	while (__atomic_load_n(&delivered, __ATOMIC_ACQUIRE) < burst.sent) {
		if (now_ns() > drain) {
			fprintf(stderr, "cpgbench: only %llu of %llu messages delivered after %d s\n",
				(unsigned long long)delivered, (unsigned long long)burst.sent, DRAIN_SECONDS);
			exit(1);
		}
		usleep(1000);
	}
	burst.seconds = (double)(__atomic_load_n(&last_delivery_ns, __ATOMIC_ACQUIRE) - start) / 1e9;
	return burst;
}

static void throughput(const char *group, double seconds)
{
	cpg_handle_t handle = join(group, "-throughput");
	pthread_t thread;
	char *payload = calloc(1, SIZES[sizeof(SIZES) / sizeof(SIZES[0]) - 1]);
	size_t i;

	if (payload == NULL || pthread_create(&thread, NULL, dispatch_thread, &handle) != 0) {
		fprintf(stderr, "cpgbench: out of memory or threads\n");
		exit(1);
	}
	for (i = 0; i < sizeof(SIZES) / sizeof(SIZES[0]); i++) {
		struct burst burst;

		send_for(handle, payload, SIZES[i], WARM_UP_SECONDS);
		burst = send_for(handle, payload, SIZES[i], seconds);
		printf("cpg_%s_msgs_per_s %.0f msgs/s\n", LABELS[i], burst.sent / burst.seconds);
		printf("cpg_%s_mb_per_s %.1f MB/s\n", LABELS[i], burst.sent * (double)SIZES[i] / burst.seconds / 1e6);
		printf("cpg_%s_try_again %llu retries\n", LABELS[i], (unsigned long long)burst.retries);
		printf("cpg_%s_sent %llu msgs\n", LABELS[i], (unsigned long long)burst.sent);
		fflush(stdout);
	}
	__atomic_store_n(&stop_dispatching, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	cpg_finalize(handle);
	free(payload);
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(double *sorted, int count, double percent)
{
	int rank = (int)((percent / 100.0) * count + 0.999999999);
	if (rank < 1) {
		rank = 1;
	}
	if (rank > count) {
		rank = count;
	}
	return sorted[rank - 1];
}

static double median(double *sorted, int count)
{
	return (count % 2 == 1) ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

static void round_trips(const char *group, int count)
{
	cpg_handle_t handle = join(group, "-round-trip");
	char *payload = calloc(1, SIZES[sizeof(SIZES) / sizeof(SIZES[0]) - 1]);
	double *rtt = calloc((size_t)count, sizeof(double));
	double *send = calloc((size_t)count, sizeof(double));
	int warm_up = count / 5;
	uint64_t sequence = 0;
	size_t i;
	int n;

	if (payload == NULL || rtt == NULL || send == NULL) {
		fprintf(stderr, "cpgbench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < sizeof(SIZES) / sizeof(SIZES[0]); i++) {
		struct iovec iov = { .iov_base = payload, .iov_len = SIZES[i] };

		for (n = -warm_up; n < count; n++) {
			uint64_t t0, t1, t2;
			cs_error_t error;

			sequence++;
			memcpy(payload, &sequence, sizeof(sequence));
			t0 = now_ns();
			while ((error = cpg_mcast_joined(handle, CPG_TYPE_AGREED, &iov, 1)) == CS_ERR_TRY_AGAIN) {
			}
			t1 = now_ns();
			if (error != CS_OK) {
				fail("cpg_mcast_joined", error);
			}
			while (__atomic_load_n(&last_sequence, __ATOMIC_ACQUIRE) != sequence) {
				error = cpg_dispatch(handle, CS_DISPATCH_ONE);
				if (error != CS_OK) {
					fail("cpg_dispatch", error);
				}
			}
			t2 = now_ns();
			if (n >= 0) {
				rtt[n] = (double)(t2 - t0) / 1e3;
				send[n] = (double)(t1 - t0) / 1e3;
			}
		}
		qsort(rtt, (size_t)count, sizeof(double), compare);
		qsort(send, (size_t)count, sizeof(double), compare);
		printf("cpg_%s_rtt_p50_us %.1f us\n", LABELS[i], median(rtt, count));
		printf("cpg_%s_rtt_p99_us %.1f us\n", LABELS[i], percentile(rtt, count, 99));
		printf("cpg_%s_send_p50_us %.1f us\n", LABELS[i], median(send, count));
		fflush(stdout);
	}
	cpg_finalize(handle);
	free(payload);
	free(rtt);
	free(send);
}

int main(int argc, char *argv[])
{
	double seconds;
	int count;

	if (argc != 4 || (seconds = atof(argv[2])) <= 0 || (count = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: cpgbench GROUP SECONDS ROUND_TRIPS\n");
		return 2;
	}
	self_pid = (uint32_t)getpid();
	throughput(argv[1], seconds);
	round_trips(argv[1], count);
	return 0;
}
