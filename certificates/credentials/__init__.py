"""Open Badges 3.0 credentials beside every certificate (../../shared/DESIGN.md §13).

Each certificate also gets an ``OpenBadgeCredential`` (a W3C Verifiable Credential 2.0) built
from its frozen snapshot (:mod:`.build`), signed with a Data Integrity proof of cryptosuite
``eddsa-rdfc-2022`` (:mod:`.proof`) by the certificate signing keys, which the issuer's
``did:web`` document lists (:mod:`.did`). Revocation flips a bit of a Bitstring Status List
that the LMS publishes as a signed credential of its own (:mod:`.status`). JSON-LD contexts come
from local copies (:mod:`.contexts`): nothing is fetched from the network.
"""
