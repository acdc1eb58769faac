#!/usr/bin/env bash
# tests/gen-certs.sh DIR — makes the test PKI at test time (nothing secret is committed):
#   ca.pem / ca.key            root CA (EC P-256)        "mbshake test root"
#   int.pem / int.key          intermediate CA (EC P-256), signed by the root
#   <kind>.pem / <kind>.key    leaf for localhost + 127.0.0.1, signed by the intermediate,
#   <kind>-chain.pem           leaf followed by the intermediate (what a server sends)
#                              kind: ecdsa-p256 rsa2048 rsa3072 rsa4096
#   expired.pem/.key           ecdsa leaf whose validity ended in the past
#   otherhost.pem/.key         ecdsa leaf for "other.example" only
#   selfsigned.pem/.key        self-signed ecdsa leaf (unknown CA)
# Idempotent: does nothing when DIR/done exists.
set -euo pipefail
dir=${1:?usage: gen-certs.sh DIR}
[ -f "$dir/done" ] && exit 0
mkdir -p "$dir"
cd "$dir"
days=3650
ossl() { openssl "$@" 2>/dev/null; }

ossl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days $days -subj "/CN=mbshake test root" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr \
    -subj "/CN=mbshake test intermediate"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
ossl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out int.pem -days $days -extfile int.ext

leaf() { # name keyargs subject-alt-names [extra x509 args]
    local name=$1 keyargs=$2 san=$3; shift 3
    ossl req -new $keyargs -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=${name} leaf"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" > "$name.ext"
    ossl x509 -req -in "$name.csr" -CA int.pem -CAkey int.key -CAcreateserial -out "$name.pem" -extfile "$name.ext" "$@"
    cat "$name.pem" int.pem > "$name-chain.pem"
}
SAN="DNS:localhost,IP:127.0.0.1"
leaf ecdsa-p256 "-newkey ec -pkeyopt ec_paramgen_curve:P-256" "$SAN" -days $days
leaf rsa2048 "-newkey rsa:2048" "$SAN" -days $days
leaf rsa3072 "-newkey rsa:3072" "$SAN" -days $days
leaf rsa4096 "-newkey rsa:4096" "$SAN" -days $days
leaf otherhost "-newkey ec -pkeyopt ec_paramgen_curve:P-256" "DNS:other.example" -days $days
# expired: valid 2001-01-01 .. 2002-01-01 (x509 -not_before/-not_after need OpenSSL 3.4; use ca)
leaf expired "-newkey ec -pkeyopt ec_paramgen_curve:P-256" "$SAN" -days 1
mkdir -p ca.db && : > ca.db/index && echo 1000 > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = ca.db/index
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
CNF
ossl ca -batch -config ca.cnf -cert int.pem -keyfile int.key -in expired.csr -out expired.pem \
    -startdate 20010101000000Z -enddate 20020101000000Z -extfile expired.ext -notext
cat expired.pem int.pem > expired-chain.pem
ossl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout selfsigned.key \
    -out selfsigned.pem -days $days -subj "/CN=localhost" -addext "subjectAltName=$SAN"
cp selfsigned.pem selfsigned-chain.pem
rm -f ./*.csr ./*.ext
touch done
