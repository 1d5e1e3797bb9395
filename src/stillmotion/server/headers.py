"""A deadline for each request's head: uvicorn has none, so a client that sends its request line
and headers a byte at a time (slowloris), or opens a connection and says nothing, holds that
connection, and a file descriptor, for as long as it likes.

The deadline cannot live in the app (an ASGI app first hears of a request once its head is
complete), so it lives in the protocol: uvicorn's h11 protocol with one timer per request head,
armed when a connection opens and again after each response, stopped once h11 has the whole
head. When it fires first, a client that had started a request gets a 408 with one JSON
sentence, and the connection is closed. (The body has its own limit, the upload timeout in
forms.py; the wait between requests on a kept-alive connection is uvicorn's keep-alive timeout.)
"""

from __future__ import annotations

import json

HEADER_TIMEOUT_S = 10.0  # a browser sends a request's head in one packet: ten seconds is generous


def header_deadline_protocol(timeout_s: float = HEADER_TIMEOUT_S) -> type:
    """uvicorn's h11 protocol class with a deadline of timeout_s seconds for each request's head
    (give it to uvicorn as `http=`)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    body = json.dumps({"error": f"the request's headers did not arrive within {timeout_s:g} s; send it again"}).encode()
    timed_out = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    class HeaderDeadline(H11Protocol):
        _deadline = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:  # h11 has parsed the whole head
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm()  # the next request's head, on a kept-alive connection

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(timeout_s, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
                return
            started, _ = self.conn.trailing_data  # bytes of a head not yet complete
            if started:
                self.transport.write(timed_out)
            self.transport.close()

    return HeaderDeadline
