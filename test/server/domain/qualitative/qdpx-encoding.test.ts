/**
 * A .qdpx whose project.qde or source texts are not UTF-8 (REFI-QDA files are): the decoder before
 * the parsers was not fatal, so such bytes became U+FFFD and a project's names and texts were
 * imported with their letters lost, without a word (found by a review). Now the project.qde is
 * refused, saying what it declared, and such a source is skipped with its reason.
 */
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { readQdpx, RefiFormatError } from '../../../../server/domain/qualitative/refi-import'

const guid = '8d4f3c1a-2b6e-4f1a-9c3d-0e5f6a7b8c9d'
const sourceGuid = '1d4f3c1a-2b6e-4f1a-9c3d-0e5f6a7b8c9d'

describe('a .qdpx that is not UTF-8', () => {
  it('refuses a project.qde written in ISO-8859-1, naming the encoding it declares', () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?><Project xmlns="urn:QDA-XML:project:1.0" name="Étude"><CodeBook><Codes><Code guid="${guid}" name="Sécurité" isCodable="true"/></Codes></CodeBook></Project>`
    const read = () => readQdpx(zipSync({ 'project.qde': new Uint8Array(Buffer.from(xml, 'latin1')) }))
    expect(read).toThrow(RefiFormatError)
    expect(read).toThrow('The project.qde is not UTF-8 text (it says it is ISO-8859-1): REFI-QDA files are UTF-8. Save it as UTF-8 and import it again.')
    // The same project in UTF-8 is read as written.
    expect(readQdpx(zipSync({ 'project.qde': new TextEncoder().encode(xml.replace('ISO-8859-1', 'UTF-8')) })).codes.map((c) => c.name)).toEqual(['Sécurité'])
  })

  it('skips a source text in Windows-1256 with its reason, and reads a UTF-8 one as written', () => {
    const second = '2d4f3c1a-2b6e-4f1a-9c3d-0e5f6a7b8c9d'
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="${sourceGuid}" name="Interview 1" plainTextPath="internal://${sourceGuid}.txt"/><TextSource guid="${second}" name="Interview 2" plainTextPath="internal://${second}.txt"/></Sources></Project>`
    // "سلام P1" in Windows-1256: 0xD3 0xE1 0xC7 0xE3 are not UTF-8.
    const windows1256 = new Uint8Array([0xd3, 0xe1, 0xc7, 0xe3, 0x20, 0x50, 0x31])
    const project = readQdpx(zipSync({ 'project.qde': new TextEncoder().encode(xml), [`sources/${sourceGuid}.txt`]: windows1256, [`sources/${second}.txt`]: new TextEncoder().encode('سلام P2') }))
    expect(project.sources.map((s) => s.text)).toEqual(['سلام P2'])
    expect(project.skipped).toContainEqual({ what: 'source', name: 'Interview 1', reason: `its text (internal://${sourceGuid}.txt) is not UTF-8 (REFI-QDA texts are UTF-8): save it as UTF-8 and import again` })
  })
})
