/* AWS Signature Version 4 (src/blob/s3.c) against AWS's published vectors:
 * the signing-key derivation example from the AWS docs ("Examples of how to
 * derive a signing key") and "get-vanilla" from the AWS SigV4 test suite. */
#include "blob/s3.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static void tohex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

Test(sigv4, derives_the_documented_signing_key)
{
	unsigned char k[32];
	char h[65];
	fc_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", k);
	tohex(k, 32, h);
	cr_expect_str_eq(h, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

Test(sigv4, get_vanilla_from_the_aws_test_suite)
{
	fc_sigv4_req r = {
		.method = "GET",
		.path = "/",
		.query = "",
		.host = "example.amazonaws.com",
		.amz_date = "20150830T123600Z",
		.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.sign_content_sha256 = 0,
		.region = "us-east-1",
		.service = "service",
		.access_key = "AKIDEXAMPLE",
		.secret_key = SECRET,
	};
	char auth[512], creq[1024], sts[512];
	cr_assert_eq(fc_sigv4_sign(&r, auth, sizeof auth, creq, sizeof creq, sts, sizeof sts), 0);
	cr_expect_str_eq(creq, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cr_expect_str_eq(sts, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
			      "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
	cr_expect_str_eq(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
			       "SignedHeaders=host;x-amz-date, "
			       "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

Test(sigv4, s3_requests_also_sign_the_content_hash)
{
	fc_sigv4_req r = {"PUT",
			  "/bucket/blobs/ab/cd/x",
			  "",
			  "127.0.0.1:9000",
			  "20150830T123600Z",
			  "UNSIGNED-PAYLOAD",
			  1,
			  "us-east-1",
			  "s3",
			  "AKIDEXAMPLE",
			  SECRET};
	char auth[512], creq[1024];
	cr_assert_eq(fc_sigv4_sign(&r, auth, sizeof auth, creq, sizeof creq, NULL, 0), 0);
	cr_expect(strstr(creq, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
	cr_expect(strstr(auth, "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
	/* a buffer too small is refused, not truncated */
	char small[16];
	cr_expect_neq(fc_sigv4_sign(&r, small, sizeof small, NULL, 0, NULL, 0), 0);
}
