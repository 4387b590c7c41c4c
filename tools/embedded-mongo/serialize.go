package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
)

// FerretDB 1.24 applies updates as read-modify-write without isolation: 20 concurrent $inc on
// one document keep only a few, and several callers "win" one conditional findAndModify.
// MongoDB guarantees single-document atomicity, and the services rely on it. This front
// end passes the MongoDB wire protocol through unchanged but lets only one write command at a
// time reach FerretDB; reads are not held back.

const (
	opMsg          = 2013
	maxMessageSize = 48 * 1000 * 1000

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1
)

// readOnly lists the commands that never change data; every other command is serialized.
var readOnly = map[string]bool{
	"find": true, "getMore": true, "aggregate": true, "count": true, "distinct": true,
	"listCollections": true, "listIndexes": true, "listDatabases": true, "killCursors": true,
	"hello": true, "isMaster": true, "ismaster": true, "ping": true, "buildInfo": true, "buildinfo": true,
	"getParameter": true, "serverStatus": true, "hostInfo": true, "connectionStatus": true, "whatsmyuri": true,
	"dbStats": true, "collStats": true, "dataSize": true, "explain": true, "getLog": true,
	"endSessions": true, "saslStart": true, "saslContinue": true, "getCmdLineOpts": true, "listCommands": true,
}

type serializer struct {
	upstream string
	writes   sync.Mutex
	logger   *slog.Logger
}

func (s *serializer) serve(l net.Listener) error {
	for {
		client, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go s.handle(client)
	}
}

func (s *serializer) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", s.upstream)
	if err != nil {
		s.logger.Error("cannot reach ferretdb", "err", err)
		return
	}
	defer server.Close()
	for {
		request, err := readMessage(client)
		if err != nil {
			return
		}
		if err := s.roundTrip(request, client, server); err != nil {
			if !errors.Is(err, io.EOF) {
				s.logger.Warn("connection closed", "err", err)
			}
			return
		}
	}
}

// roundTrip forwards one request and its replies, holding the write lock for write commands.
func (s *serializer) roundTrip(request []byte, client, server net.Conn) error {
	command, flags := inspect(request)
	if !readOnly[command] {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	if _, err := server.Write(request); err != nil {
		return err
	}
	if flags&flagMoreToCome != 0 {
		return nil // the client asked for no reply (unacknowledged write)
	}
	for {
		reply, err := readMessage(server)
		if err != nil {
			return err
		}
		if _, err := client.Write(reply); err != nil {
			return err
		}
		if _, replyFlags := inspect(reply); replyFlags&flagMoreToCome == 0 {
			return nil
		}
	}
}

func readMessage(r io.Reader) ([]byte, error) {
	var header [16]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		return nil, err
	}
	size := int(binary.LittleEndian.Uint32(header[:4]))
	if size < 16 || size > maxMessageSize {
		return nil, fmt.Errorf("bad message length %d", size)
	}
	message := make([]byte, size)
	copy(message, header[:])
	if _, err := io.ReadFull(r, message[16:]); err != nil {
		return nil, err
	}
	return message, nil
}

// inspect returns an OP_MSG's command name (the first key of its body section) and flag bits.
// Other opcodes (the legacy handshake) answer "" and are treated as writes: rare and safe.
func inspect(message []byte) (string, uint32) {
	if len(message) < 21 || binary.LittleEndian.Uint32(message[12:16]) != opMsg {
		return "", 0
	}
	flags := binary.LittleEndian.Uint32(message[16:20])
	end := len(message)
	if flags&flagChecksumPresent != 0 {
		end -= 4
	}
	for pos := 20; pos < end; {
		kind := message[pos]
		pos++
		if pos+4 > end {
			break
		}
		size := int(binary.LittleEndian.Uint32(message[pos : pos+4]))
		if kind == 0 {
			// BSON document: int32 size, then elements of (type byte, key cstring, value).
			if pos+5 < end {
				key := message[pos+5 : end]
				if i := bytes.IndexByte(key, 0); i >= 0 {
					return string(key[:i]), flags
				}
			}
			break
		}
		pos += size // kind 1: a document sequence, its size includes the size field
	}
	return "", flags
}
