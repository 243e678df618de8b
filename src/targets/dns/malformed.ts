/**
 * A message from a server that cannot be read (cut short, a name pointer that loops, a count that
 * lies). The codec throws it with what is wrong; the edge that asked turns it into an IpamError
 * naming the server and the zone, so the codec knows nothing about either.
 */
export class MalformedMessage extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'MalformedMessage';
  }
}
