package protocol_test

import (
	"fmt"

	"github.com/wstrigger/wstrigger/protocol"
)

func ExampleRedactURLString() {
	fmt.Println(protocol.RedactURLString("ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D&accessToken=at_7Kq2Vd9LmX4pRt8Wz3Bn&secretKey=sk_Hc5Yw1Nf8Ge3Tj6Qa0Ls4Dv2"))
	// Output:
	// ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D&accessToken=***&secretKey=***
}
