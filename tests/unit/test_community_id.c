/* test_community_id: Community ID v1 against the spec's published baseline */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "community_id.h"
#include "packet.h"

/*
 * corelight/community-id-spec baseline/baseline_deflt.json (seed 0) and
 * baseline/baseline_seed1.json (seed 1). sport/dport are the spec's ICMP
 * port equivalents, which is how struct tuple carries ICMP. Arrays, not
 * pointers: Criterion hands parameters to a freshly executed process.
 */
struct cid_vector {
	uint8_t proto;
	char saddr[48];
	char daddr[48];
	uint16_t sport;
	uint16_t dport;
	char seed0[COMMUNITY_ID_LEN];
	char seed1[COMMUNITY_ID_LEN];
};

static const struct cid_vector baseline[] = {
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	 "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	 "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
	{58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	 "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
	 "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
	{58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	 "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
	{58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	 "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
	{58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
	 "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	 "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
	{58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
	 "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
	{58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
	 "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
	{1, "192.168.0.89", "192.168.0.1", 8, 0,
	 "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, "192.168.0.1", "192.168.0.89", 0, 8,
	 "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
	{1, "10.0.0.1", "10.0.0.2", 11, 0,
	 "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
	{6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	 "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
	{132, "192.168.170.8", "192.168.170.56", 7, 7,
	 "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{132, "192.168.170.56", "192.168.170.8", 7, 7,
	 "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
	{6, "128.232.110.120", "66.35.250.204", 34855, 80,
	 "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{6, "66.35.250.204", "128.232.110.120", 80, 34855,
	 "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{17, "192.168.1.52", "8.8.8.8", 54585, 53,
	 "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{17, "8.8.8.8", "192.168.1.52", 53, 54585,
	 "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
	{46, "10.1.12.1", "10.1.12.2", 0, 0,
	 "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI="},
	{46, "10.1.12.2", "10.1.12.1", 0, 0,
	 "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

static struct tuple make_tuple(uint8_t proto, const char *saddr, const char *daddr,
			       uint16_t sport, uint16_t dport)
{
	struct tuple t;

	memset(&t, 0, sizeof(t));
	t.family = strchr(saddr, ':') ? 6 : 4;
	t.proto = proto;
	t.sport = sport;
	t.dport = dport;
	int af = t.family == 6 ? AF_INET6 : AF_INET;

	cr_assert_eq(inet_pton(af, saddr, t.src), 1, "bad address %s", saddr);
	cr_assert_eq(inet_pton(af, daddr, t.dst), 1, "bad address %s", daddr);
	return t;
}

static void expect_id(const struct cid_vector *v, uint16_t seed, const char *want)
{
	struct tuple t = make_tuple(v->proto, v->saddr, v->daddr, v->sport, v->dport);
	char id[COMMUNITY_ID_LEN];

	cr_assert_eq(community_id_v1(&t, seed, id, sizeof(id)), 0);
	cr_expect_str_eq(id, want, "proto %u %s:%u -> %s:%u seed %u", v->proto,
			 v->saddr, v->sport, v->daddr, v->dport, seed);
}

ParameterizedTestParameters(community_id, matches_spec_baseline_seed_0)
{
	return cr_make_param_array(struct cid_vector, baseline, sizeof(baseline) / sizeof(baseline[0]));
}

ParameterizedTest(const struct cid_vector *v, community_id, matches_spec_baseline_seed_0)
{
	expect_id(v, 0, v->seed0);
}

ParameterizedTestParameters(community_id, matches_spec_baseline_seed_1)
{
	return cr_make_param_array(struct cid_vector, baseline, sizeof(baseline) / sizeof(baseline[0]));
}

ParameterizedTest(const struct cid_vector *v, community_id, matches_spec_baseline_seed_1)
{
	expect_id(v, 1, v->seed1);
}

Test(community_id, rejects_a_buffer_too_small)
{
	struct tuple t = make_tuple(PROTO_TCP, "10.0.0.1", "127.0.0.1", 1234, 80);
	char id[COMMUNITY_ID_LEN];

	cr_expect_eq(community_id_v1(&t, 0, id, sizeof(id) - 1), -1);
	cr_expect_eq(community_id_v1(&t, 0, id, sizeof(id)), 0);
	cr_expect_eq(strlen(id), (size_t)COMMUNITY_ID_LEN - 1);
}

/* The README's example: both directions order to 10.0.0.1, 127.0.0.1, 1234, 80. */
Test(community_id, is_the_same_in_both_directions)
{
	struct tuple a = make_tuple(PROTO_TCP, "10.0.0.1", "127.0.0.1", 1234, 80);
	struct tuple b = make_tuple(PROTO_TCP, "127.0.0.1", "10.0.0.1", 80, 1234);
	char ia[COMMUNITY_ID_LEN], ib[COMMUNITY_ID_LEN];

	community_id_v1(&a, 0, ia, sizeof(ia));
	community_id_v1(&b, 0, ib, sizeof(ib));
	cr_expect_str_eq(ia, ib);
}

/* With equal addresses the ports decide the order. */
Test(community_id, orders_by_port_when_addresses_are_equal)
{
	struct tuple a = make_tuple(PROTO_UDP, "10.0.0.1", "10.0.0.1", 5000, 53);
	struct tuple b = make_tuple(PROTO_UDP, "10.0.0.1", "10.0.0.1", 53, 5000);
	char ia[COMMUNITY_ID_LEN], ib[COMMUNITY_ID_LEN];

	community_id_v1(&a, 0, ia, sizeof(ia));
	community_id_v1(&b, 0, ib, sizeof(ib));
	cr_expect_str_eq(ia, ib);
}

/* A one-way ICMP message keeps its direction: the reverse is another flow. */
Test(community_id, one_way_icmp_keeps_its_direction)
{
	struct tuple a = make_tuple(PROTO_ICMP, "10.0.0.2", "10.0.0.1", 3, 3);
	struct tuple b = make_tuple(PROTO_ICMP, "10.0.0.1", "10.0.0.2", 3, 3);
	char ia[COMMUNITY_ID_LEN], ib[COMMUNITY_ID_LEN];

	community_id_v1(&a, 0, ia, sizeof(ia));
	community_id_v1(&b, 0, ib, sizeof(ib));
	cr_expect_str_neq(ia, ib);
}
