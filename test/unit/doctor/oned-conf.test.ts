/** oned.conf read as one_ipam and oned read it: the IPAM_MAD -i list and VNET_RESTRICTED_ATTR. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipamDriverList, parseOnedConf } from '../../../src/doctor/oned-conf.ts';
import { onedConfFindings } from '../../../src/doctor/oned-conf-checks.ts';

describe('oned.conf', () => {
  it('takes ARGUMENTS from an IPAM_MAD block in any layout, past comments and other blocks', () => {
    const conf = parseOnedConf(`
# IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i commented" ]
IM_MAD = [ NAME = "kvm", ARGUMENTS = "-r 3 -t 15 -w 90 kvm" ]
IPAM_MAD=[EXECUTABLE="one_ipam",ARGUMENTS="-t 1 -i dummy,nebula"]
VNET_RESTRICTED_ATTR = "VN_MAD"   # a comment
vnet_restricted_attr = "AR/NEBULA_IPAM_RANGE"
DESCRIPTION = "a \\" quote and a # hash inside"
`);
    assert.deepEqual(conf.ipamMadArguments, ['-t 1 -i dummy,nebula']);
    assert.deepEqual(conf.vnetRestricted, ['VN_MAD', 'AR/NEBULA_IPAM_RANGE']);
  });

  it('splits -i as the shell does: a space after a comma leaves the driver out', () => {
    assert.deepEqual(ipamDriverList('-t 1 -i dummy,nebula'), {
      drivers: ['dummy', 'nebula'],
      stray: [],
      list: 'dummy,nebula',
    });
    assert.deepEqual(ipamDriverList('-t 1 -i dummy, nebula'), {
      drivers: ['dummy'],
      stray: ['nebula'],
      list: 'dummy,',
    });
    assert.deepEqual(ipamDriverList('-t 1'), { drivers: [], stray: [] });
  });

  it('judges one driver: ok, a space after a comma, missing, no block', () => {
    const judge = (text: string) =>
      onedConfFindings('/o', parseOnedConf(text), 'nebula').map((f) => [f.check, f.level]);
    assert.deepEqual(
      judge('IPAM_MAD = [ ARGUMENTS = "-i dummy,nebula" ]\nVNET_RESTRICTED_ATTR = "AR/NEBULA_IPAM_RANGE"'),
      [
        ['oned.ipam-mad', 'ok'],
        ['oned.restricted-attr', 'ok'],
      ],
    );
    const spaced = onedConfFindings(
      '/o',
      parseOnedConf('IPAM_MAD = [ ARGUMENTS = "-t 1 -i dummy, nebula" ]'),
      'nebula',
    )[0]!;
    assert.equal(spaced.level, 'fail');
    assert.equal(
      spaced.fix,
      'change it to: IPAM_MAD = [ EXECUTABLE = "one_ipam", ARGUMENTS = "-t 1 -i dummy,nebula" ]',
    );
    assert.deepEqual(judge(''), [
      ['oned.ipam-mad', 'fail'],
      ['oned.restricted-attr', 'warn'],
    ]);
  });
});
