// Verifies certificates the way Kubernetes and etcd do (Go's crypto/x509), for test/unit/pki-keys.test.ts.
// Usage: go run verify-chain.go CA.pem CERT.pem...  Prints one line per certificate: "<file>: ok" or the error.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

func load(path string) *x509.Certificate {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	block, _ := pem.Decode(data)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", path, err))
	}
	return cert
}

func main() {
	roots := x509.NewCertPool()
	roots.AddCert(load(os.Args[1]))
	for _, path := range os.Args[2:] {
		opts := x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
		if _, err := load(path).Verify(opts); err != nil {
			fmt.Printf("%s: %v\n", path, err)
		} else {
			fmt.Printf("%s: ok\n", path)
		}
	}
}
