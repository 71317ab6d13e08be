package spec

import (
	"bytes"
	"embed"
	"io/fs"
)

// File names of the two documents, in the embedded copy and in a folder
// given to Load.
const (
	OpenAPIFile  = "openapi.yaml"
	AsyncAPIFile = "asyncapi.yaml"
)

//go:embed openapi.yaml asyncapi.yaml
var embedded embed.FS

// OpenAPIYAML returns the embedded OpenAPI document (the HTTP endpoints and
// the shared schemas). The caller owns the returned slice.
func OpenAPIYAML() []byte { return mustRead(OpenAPIFile) }

// AsyncAPIYAML returns the embedded AsyncAPI document (the frames). Its
// payloads refer to the schemas of OpenAPIYAML. The caller owns the
// returned slice.
func AsyncAPIYAML() []byte { return mustRead(AsyncAPIFile) }

// Files returns the embedded documents as a file system holding
// openapi.yaml and asyncapi.yaml, the shape Load reads.
func Files() fs.FS { return embedded }

func mustRead(name string) []byte {
	b, err := embedded.ReadFile(name)
	if err != nil {
		// The go:embed directive above guarantees both files.
		panic("spec: embedded " + name + " missing: " + err.Error())
	}
	return bytes.Clone(b)
}
